"""Celery tasks of the feedback app: take ids, load, call one service; idempotent; survive missing rows.

The survey emails are sent by the outbox's tasks (`outbox.tasks`): retries live on the delivery row
(`pending` with a later `due_at`, then `failed`), never in a Celery countdown.
"""

import logging

from celery import shared_task

from feedback import services

logger = logging.getLogger(__name__)


@shared_task(name="feedback.expire_old_surveys", ignore_result=True)
def expire_old_surveys() -> int:
    return services.survey_expire_old()


@shared_task(name="feedback.send_relationship_surveys", ignore_result=True)
def send_relationship_surveys() -> int:
    """Beat, daily: create the relationship surveys that are due; the outbox sends their emails."""
    return len(services.relationship_survey_schedule_due())
