"""Staff notifications: a row in the outbox, written with its cause; the email leaves after commit."""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from escalation.models import Notification
from tickets.email_parsing import DESK_HEADER
from tickets.email_trust import desk_message_id

logger = logging.getLogger(__name__)
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escalation_notify_batch", default=None)


@contextlib.contextmanager
def batched():
    """Inside this block notifications are written but not enqueued one by one: one task sends them
    all after commit (the beat task's sweep would otherwise publish a message per escalation)."""
    state: dict = {"any": False}
    token = _batch.set(state)
    try:
        yield
    finally:
        _batch.reset(token)
    if state["any"]:
        from escalation import tasks
        from helpdesk.celery import enqueue_on_commit

        enqueue_on_commit(tasks.notifications_send_pending)


def _language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def _time_zone_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "time_zone", None) or "UTC"


def notify(
    *, key: str, recipient, kind: str, text: str = "", phrase=None, ticket=None, escalation=None, remedy=None
) -> Notification | None:
    """Queue one notification; a second call with the same key does nothing (idempotent). `phrase` is what
    the desk says (rendered in the recipient's language when sent), `text` what a person wrote."""
    if recipient is None:
        return None
    batch = _batch.get()
    if batch is not None:  # one INSERT ... ON CONFLICT DO NOTHING, no savepoint; one task sends them all
        Notification.objects.bulk_create(
            [Notification(key=key[:200], recipient=recipient, kind=kind, phrase=phrase or None, text=text,
                          ticket=ticket, escalation=escalation, remedy=remedy)],
            ignore_conflicts=True,
        )
        batch["any"] = True
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key[:200], recipient=recipient, kind=kind, phrase=phrase or None, text=text, ticket=ticket,
                escalation=escalation, remedy=remedy,
            )
    except IntegrityError:
        return None
    from escalation import tasks
    from helpdesk.celery import enqueue_on_commit

    enqueue_on_commit(tasks.notification_send, notification.pk)
    return notification


def notify_many(rows: list[Notification]) -> int:
    """Bulk version for the beat task: one INSERT, one task for all of them."""
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    batch = _batch.get()
    if batch is not None:
        batch["any"] = True
        return len(rows)
    from escalation import tasks
    from helpdesk.celery import enqueue_on_commit

    enqueue_on_commit(tasks.notifications_send_pending)
    return len(rows)


def _link(notification: Notification) -> str:
    if notification.escalation_id:
        return settings.SITE_URL + reverse("escalation:detail", args=[notification.escalation_id])
    if notification.remedy_id:
        return settings.SITE_URL + reverse("escalation:remedies")
    return settings.SITE_URL + reverse("escalation:inbox")


def notification_send(*, notification_id: int) -> bool:
    """Send one notification's email unless it was already sent; survives rows that were deleted."""
    notification = (Notification.objects.select_related("recipient__profile", "ticket", "escalation")
                    .filter(pk=notification_id).first())
    if notification is None:
        logger.info("notification %s no longer exists", notification_id)
        return False
    if notification.sent_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.email:
        Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now(), last_error="no email address")
        return False
    with translation.override(_language_of(recipient)), timezone.override(_time_zone_of(recipient)):
        context = {"notification": notification, "recipient": recipient, "link": _link(notification)}
        subject = render_to_string("escalation/email/notification_subject.txt", context).strip()
        body = render_to_string("escalation/email/notification.txt", context)
    # Claim the row first: two workers with the same id send once.
    claimed = Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=notification.attempts + 1
    )
    if not claimed:
        return False
    try:
        EmailMessage(subject, body, None, [recipient.email], headers=_headers(notification)).send()
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(sent_at=None, last_error=str(exc)[:500])
        raise
    return True


def _headers(notification: Notification) -> dict[str, str]:
    """The same Message-ID for every re-send of the row, signed by the desk (`tickets.email_trust`): a
    supervisor who answers it by email is told that answers are written in the desk."""
    reference = notification.ticket.reference if notification.ticket_id else ""
    return {
        "Message-ID": desk_message_id(f"esc{notification.pk}", reference=reference or ""),
        "Auto-Submitted": "auto-generated",
        DESK_HEADER: reference or "escalation",
    }


def notifications_unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user) -> int:
    """The agent saw their answers: the navigation badge goes back to zero."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
