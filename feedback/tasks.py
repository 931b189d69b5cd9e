"""Celery tasks of the feedback app: take ids, load, call one service; idempotent; survive missing rows.

Retries of SMTP failures live on the survey row (state `scheduled` with a later `due_at`, then
`failed`), never in a Celery countdown: an ETA longer than Redis' visibility timeout is redelivered
(kombu issue 337), and a row survives a broker outage.
"""

import logging

from celery import shared_task

from feedback import services
from feedback.reports import tasks as _reports_tasks  # noqa: F401 - autodiscovery sees only feedback.tasks
from helpdesk.celery import enqueue

logger = logging.getLogger(__name__)

SEND_BATCH = 50


@shared_task(name="feedback.send_survey", acks_late=True, autoretry_for=(), ignore_result=True)
def send_survey(survey_id: int) -> str:
    """Send one survey (idempotent by the survey's id: a second delivery finds it sent)."""
    return services.survey_send(survey_id=survey_id)


@shared_task(name="feedback.send_surveys", acks_late=True, ignore_result=True)
def send_surveys(survey_ids: list[int]) -> dict:
    """Send a batch of claimed surveys on one SMTP connection; each is still its own transaction."""
    outcomes: dict[str, int] = {}
    for survey_id in survey_ids:
        outcome = services.survey_send(survey_id=survey_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="feedback.claim_due_surveys", ignore_result=True)
def claim_due_surveys(limit: int = 2000) -> int:
    """Beat, every few seconds: claim the due rows (FOR UPDATE SKIP LOCKED) and hand them to workers.

    This is also the outbox recovery: rows whose send task never reached the broker are due and
    unsent, so they are picked up here.
    """
    ids = services.survey_claim_due(limit=limit)
    for start in range(0, len(ids), SEND_BATCH):
        if not enqueue(send_surveys, ids[start : start + SEND_BATCH]):
            break  # broker down: the claims go stale and are re-claimed by a later sweep
    return len(ids)


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
