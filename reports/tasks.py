"""Celery tasks of the reports: the weekly summary (beat fans out one task per recipient)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.utils import timezone

from helpdesk.celery import enqueue
from helpdesk.dates import monday_of
from reports import services

logger = logging.getLogger(__name__)


def last_week_start(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return monday_of(today) - dt.timedelta(weeks=1)


@shared_task(name="reports.send_weekly_summaries", ignore_result=True)
def send_weekly_summaries(week_start: str | None = None) -> int:
    """Beat, Monday morning: one task per supervisor and admin for last week (Monday to Sunday)."""
    week = week_start or last_week_start().isoformat()
    recipients = services.weekly_summary_recipients()
    for user_id in recipients:
        enqueue(send_weekly_summary, user_id, week)
    # Summaries of the last four weeks still pending or failed (their retries ran out): once more.
    since = dt.date.fromisoformat(week) - dt.timedelta(weeks=4)
    for user_id, earlier in services.weekly_summaries_to_retry(since=since):
        if earlier.isoformat() != week:
            enqueue(send_weekly_summary, user_id, earlier.isoformat())
    return len(recipients)


@shared_task(
    name="reports.send_weekly_summary",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_weekly_summary(user_id: int, week_start: str) -> str:
    """Send one summary; idempotent by its outbox row (user, week); a user deleted meanwhile is logged
    and skipped; a mail error is recorded on the row and retried with backoff."""
    return services.weekly_summary_send(user_id=user_id, week_start=dt.date.fromisoformat(week_start))
