"""Periodic tasks of the tickets app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {
    "tickets.auto_close_resolved": {"task": "tickets.auto_close_resolved", "schedule": 3600.0},
    "tickets.poll_imap": {"task": "tickets.poll_imap", "schedule": 60.0},
}
