"""Periodic tasks of the feedback app, merged into Celery beat by helpdesk/celery.py."""

from celery.schedules import crontab

SCHEDULE: dict = {
    "feedback-expire-old-surveys": {"task": "feedback.expire_old_surveys", "schedule": crontab(minute=15, hour=3)},
    "feedback-relationship-surveys": {
        "task": "feedback.send_relationship_surveys",
        "schedule": crontab(minute=30, hour=9),
    },
}
