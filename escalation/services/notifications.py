"""Staff notifications: a row written with its cause, its email a row of the outbox written with it.

`Notification` is what the desk tells a staff member (the navigation badge counts the unread ones);
its email is its `delivery`, which the outbox sends after commit, retries and fails visibly. The kind
below says what the email is: the notification in the recipient's language and time zone.
"""

import contextlib
import contextvars
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from escalation.models import Notification
from outbox import services as outbox
from outbox.kinds import Cancel, Kind
from outbox.messages import OutboxEmail
from tickets.email_parsing import DESK_HEADER
from tickets.email_trust import desk_message_id

logger = logging.getLogger(__name__)
KIND = "escalation_notice"
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escalation_notify_batch", default=None)


@contextlib.contextmanager
def batched():
    """Inside this block (the beat task's sweep) `notify` writes with INSERT ... ON CONFLICT DO NOTHING
    instead of a savepoint per notification."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def _language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def _time_zone_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "time_zone", None) or "UTC"


def notify(
    *, key: str, recipient, kind: str, text: str = "", phrase=None, ticket=None, escalation=None, remedy=None
) -> Notification | None:
    """Queue one notification and its email; a second call with the same key does nothing (idempotent).
    `phrase` is what the desk says (rendered in the recipient's language when sent), `text` what a
    person wrote."""
    if recipient is None:
        return None
    row = Notification(key=key[:200], recipient=recipient, kind=kind, phrase=phrase or None, text=text,
                       ticket=ticket, escalation=escalation, remedy=remedy)
    if _batch.get() is not None:
        notify_many([row])
        return None
    try:
        with transaction.atomic():
            row.delivery = outbox.delivery_create(kind=KIND, recipient=recipient.email or "",
                                                  reference=ticket.reference if ticket is not None else "")
            row.save(force_insert=True)
    except IntegrityError:
        return None
    return row


def notify_many(rows: list[Notification]) -> int:
    """Many notifications at once (the beat task's sweep): one INSERT of the rows (those whose key exists
    are left out), one SELECT of the new ones, one INSERT of their emails, one UPDATE linking them."""
    if not rows:
        return 0
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        new = list(Notification.objects.filter(key__in=[row.key for row in rows], delivery__isnull=True)
                   .values_list("pk", "recipient__email", "ticket__reference"))
        deliveries = outbox.deliveries_create([
            outbox.delivery_new(kind=KIND, recipient=email or "", reference=reference or "")
            for _pk, email, reference in new
        ])
        Notification.objects.bulk_update(
            [Notification(pk=pk, delivery=delivery) for (pk, _e, _r), delivery in zip(new, deliveries, strict=True)],
            ["delivery"],
        )
    return len(new)


def _link(notification: Notification) -> str:
    if notification.escalation_id:
        return settings.SITE_URL + reverse("escalation:detail", args=[notification.escalation_id])
    if notification.remedy_id:
        return settings.SITE_URL + reverse("escalation:remedies")
    return settings.SITE_URL + reverse("escalation:inbox")


def notification_message_id(notification: Notification) -> str:
    """The same Message-ID for every re-send of the row, signed by the desk (`tickets.email_trust`): a
    supervisor who answers it by email is told that answers are written in the desk."""
    reference = notification.ticket.reference if notification.ticket_id else ""
    return desk_message_id(f"esc{notification.pk}", reference=reference or "")


def build_notification_email(notification: Notification) -> OutboxEmail:
    recipient = notification.recipient
    with translation.override(_language_of(recipient)), timezone.override(_time_zone_of(recipient)):
        context = {"notification": notification, "recipient": recipient, "link": _link(notification)}
        subject = render_to_string("escalation/email/notification_subject.txt", context).strip()
        body = render_to_string("escalation/email/notification.txt", context)
    reference = notification.ticket.reference if notification.ticket_id else ""
    headers = {"Message-ID": notification_message_id(notification), "Auto-Submitted": "auto-generated",
               DESK_HEADER: reference or "escalation"}
    return OutboxEmail(subject, body, None, [recipient.email], headers=headers)


class NotificationKind(Kind):
    name = KIND
    label = _("Notice to a staff member")
    cancel_reasons = {"no_email": _("No email address")}

    def build(self, deliveries: Sequence) -> dict:
        notifications = Notification.objects.filter(delivery_id__in=[d.pk for d in deliveries]).select_related(
            "recipient__profile", "ticket", "escalation"
        )
        return {
            notification.delivery_id: build_notification_email(notification) if notification.recipient.email
            else Cancel("no_email")
            for notification in notifications
        }


def notification_send(*, notification_id: int) -> bool:
    """Send this notification's email now unless it went out already (the outbox's `delivery_send`).
    True when sent now. A thin wrapper kept for the callers of the old name."""
    delivery_id = Notification.objects.filter(pk=notification_id).values_list("delivery_id", flat=True).first()
    if delivery_id is None:
        logger.info("notification %s no longer exists", notification_id)
        return False
    return outbox.delivery_send(delivery_id=delivery_id) == "sent"


def notifications_unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user) -> int:
    """The agent saw their answers: the navigation badge goes back to zero."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
