"""Periodic tasks of the outbox, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {
    # The sweep: one indexed query when nothing is due. Sends rows due later (a survey's delay, a
    # retry's backoff), rows whose kick never reached the broker, and stale claims of a dead worker.
    "outbox-send-due": {"task": "outbox.send_due", "schedule": 2.0},
}
