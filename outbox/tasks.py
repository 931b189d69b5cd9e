"""Celery tasks of the outbox: take ids (or nothing), call one service. Idempotent: the rows are the
truth, so a task delivered twice, or after the row was sent, finds nothing to do. No Celery retries:
a failed attempt is retried on the row's due time (see `outbox.services`)."""

from celery import shared_task

from helpdesk.celery import enqueue
from outbox import services

SEND_BUDGET_SECONDS = 30.0  # one task drains for at most this long, then hands over to a fresh one


@shared_task(name="outbox.send_due", acks_late=True, ignore_result=True)
def send_due() -> dict:
    """Claim and send every due row, batch after batch (each claim skips rows another worker holds, so
    several workers drain side by side). Kicked after a change that made a row due at once, and by beat
    every 2 s (rows due later, kicks lost with the broker, stale claims of a dead worker)."""
    outcomes = services.deliveries_send_due(budget_seconds=SEND_BUDGET_SECONDS)
    if outcomes.get("more"):
        enqueue(send_due)  # still work to do: queue behind whatever else is waiting
    return outcomes


@shared_task(name="outbox.send", acks_late=True, ignore_result=True)
def send(delivery_id: int) -> str:
    """Send one row if it is due (a second delivery of the task finds it sent)."""
    return services.delivery_send(delivery_id=delivery_id)
