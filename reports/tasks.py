"""Celery tasks of the reports: the Monday beat writes the weekly summaries; the outbox sends them."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from helpdesk.dates import monday_of
from reports import services


def last_week_start(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return monday_of(today) - dt.timedelta(weeks=1)


@shared_task(name="reports.send_weekly_summaries", ignore_result=True)
def send_weekly_summaries(week_start: str | None = None) -> int:
    """Beat, Monday morning: one summary of last week (Monday to Sunday) per supervisor and admin, each
    with its delivery in the outbox, which sends it, retries it and shows its failure. Idempotent: a
    second run (a redelivered task, beat run twice) writes nothing. Returns how many were written."""
    week = dt.date.fromisoformat(week_start) if week_start else last_week_start()
    return services.weekly_summaries_schedule(week_start=week)
