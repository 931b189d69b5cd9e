"""Periodic tasks of the reports, merged into Celery beat by helpdesk/celery.py."""

from celery.schedules import crontab

SCHEDULE = {
    "reports-weekly-summary": {
        "task": "reports.send_weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}
