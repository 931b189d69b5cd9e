"""Celery tasks of the escalation app: take ids, call one service, idempotent. The notification emails
are sent by the outbox's tasks (`outbox.tasks`), retried there on the row's due time."""

import logging

from celery import shared_task

from escalation import services

logger = logging.getLogger(__name__)


@shared_task(name="escalation.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Beat: SLA warnings and breaches, complaint targets, acknowledgement tier-ups."""
    return services.sla_sweep()


@shared_task(name="escalation.notification_send", acks_late=True, ignore_result=True)
def notification_send(notification_id: int) -> bool:
    """Send one notification's email now (the outbox sends them all on its own: this name is kept for
    messages queued before the upgrade and for callers of the old name)."""
    return services.notification_send(notification_id=notification_id)
