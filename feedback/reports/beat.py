"""Periodic tasks of the reports. To be merged into feedback/beat.py's SCHEDULE by its owner:

    from feedback.reports.beat import SCHEDULE as REPORTS_SCHEDULE
    SCHEDULE.update(REPORTS_SCHEDULE)

(and `from feedback.reports import tasks  # noqa: F401` in feedback/tasks.py so that workers register
the tasks: Celery's autodiscovery looks only at `feedback.tasks`).
"""

from celery.schedules import crontab

SCHEDULE = {
    "feedback-reports-weekly-summary": {
        "task": "feedback.reports.send_weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}
