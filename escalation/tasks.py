"""Celery tasks of the escalation app: take ids, call one service, idempotent, retry with backoff."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from escalation import services
from escalation.models import Notification

logger = logging.getLogger(__name__)


@shared_task(name="escalation.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Beat: SLA warnings and breaches, complaint targets, acknowledgement tier-ups."""
    return services.sla_sweep()


@shared_task(name="escalation.notification_send", bind=True, autoretry_for=(OSError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=8, ignore_result=True)
def notification_send(self, notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="escalation.notifications_send_pending", ignore_result=True)
def notifications_send_pending() -> int:
    """Send every unsent notification (the beat task's bulk warnings, and any whose task was lost)."""
    sent = 0
    ids = list(Notification.objects.filter(sent_at__isnull=True, attempts__lt=8).order_by("created_at")
               .values_list("pk", flat=True)[:500])
    for notification_id in ids:
        try:
            sent += bool(services.notification_send(notification_id=notification_id))
        except Exception:
            logger.exception("notification %s not sent; the next sweep retries", notification_id)
            Notification.objects.filter(pk=notification_id).update(attempts=F("attempts") + 1)
    return sent


@shared_task(name="escalation.notifications_resend_stuck", ignore_result=True)
def notifications_resend_stuck() -> int:
    """Beat: notifications still unsent after five minutes (broker outage) are sent now."""
    cutoff = timezone.now() - timedelta(minutes=5)
    if not Notification.objects.filter(sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=8).exists():
        return 0
    return notifications_send_pending()
