"""Periodic tasks of the feedback app, merged into Celery beat by helpdesk/celery.py."""

from celery.schedules import crontab

SCHEDULE: dict = {
    # The outbox sweep: sends what is due (delayed surveys, kicks lost with the broker, stale claims).
    # One indexed query when nothing is due; 2 s bounds the wait of a survey whose kick was debounced.
    "feedback-claim-due-surveys": {"task": "feedback.claim_due_surveys", "schedule": 2.0},
    "feedback-expire-old-surveys": {"task": "feedback.expire_old_surveys", "schedule": crontab(minute=15, hour=3)},
    "feedback-relationship-surveys": {
        "task": "feedback.send_relationship_surveys",
        "schedule": crontab(minute=30, hour=9),
    },
}
