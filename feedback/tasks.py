"""Celery tasks of the feedback app: take ids, load, call one service; idempotent; survive missing rows.

Retries of SMTP failures live on the survey row (state `scheduled` with a later `due_at`, then
`failed`), never in a Celery countdown: an ETA longer than Redis' visibility timeout is redelivered
(kombu issue 337), and a row survives a broker outage.
"""

import logging

from celery import shared_task
from django.utils import timezone

from feedback import services
from helpdesk.celery import enqueue

logger = logging.getLogger(__name__)

SEND_BUDGET_SECONDS = 30.0  # one task drains for at most this long, then hands over to a fresh one


@shared_task(name="feedback.send_due_surveys", acks_late=True, ignore_result=True)
def send_due_surveys() -> dict:
    """Claim and send every due survey, batch after batch (each claim is its own SKIP LOCKED statement,
    so two workers drain side by side). Kicked after a resolve whose survey is due at once, and by beat.
    Delivered twice, the second run finds nothing due."""
    outcomes = services.survey_send_due(budget_seconds=SEND_BUDGET_SECONDS)
    if outcomes.get("more"):
        enqueue(send_due_surveys)  # still work to do: queue behind whatever else is waiting
    return outcomes


@shared_task(name="feedback.claim_due_surveys", acks_late=True, ignore_result=True)
def claim_due_surveys(limit: int = 0) -> dict:
    """Beat, every few seconds: the outbox sweep. Sends what is due, including rows whose kick never
    reached the broker and stale claims of a dead worker (same as `send_due_surveys`; kept under this
    name for the beat schedule)."""
    return send_due_surveys.run()


@shared_task(name="feedback.send_survey", acks_late=True, autoretry_for=(), ignore_result=True)
def send_survey(survey_id: int) -> str:
    """Send one survey (idempotent by the survey's id: a second delivery finds it sent)."""
    return services.survey_send(survey_id=survey_id)


@shared_task(name="feedback.send_surveys", acks_late=True, ignore_result=True)
def send_surveys(survey_ids: list[int]) -> dict:
    """Send these surveys if they are due (one claim, one SMTP connection, one closing transaction)."""
    now = timezone.now()  # the claim's token
    ids = services.survey_claim_due(limit=len(survey_ids) or 1, now=now, survey_ids=survey_ids)
    if not ids:
        return {}
    return services.survey_send_claimed(survey_ids=ids, claimed_at=now, now=now)


@shared_task(name="feedback.expire_old_surveys", ignore_result=True)
def expire_old_surveys() -> int:
    return services.survey_expire_old()


@shared_task(name="feedback.send_relationship_surveys", ignore_result=True)
def send_relationship_surveys() -> int:
    """Beat, daily: create the relationship surveys that are due and send them."""
    ids = services.relationship_survey_schedule_due()
    for survey_id in ids:
        enqueue(send_relationship_survey, survey_id)
    return len(ids)


@shared_task(name="feedback.send_relationship_survey", acks_late=True, ignore_result=True)
def send_relationship_survey(survey_id: int) -> str:
    return services.relationship_survey_send(survey_id=survey_id)
