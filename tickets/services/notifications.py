"""Email notifications: confirmation of a new ticket, staff replies to the customer, customer replies
to the assignee, and fresh follow links. Kinds of the outbox (`outbox`): a ticket event (published
after commit) writes a `NotificationLog` row (once per ticket or message) with its delivery, and the
outbox sends it, retries it with backoff on the row's due time, and shows it failed in the admin after
the last attempt. Internal notes never produce a customer email: only a staff member's public reply
is ever rendered into one, and only that one reply; a notification that must not go out (no address,
held for review, too many confirmations) is cancelled with its reason when it is built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from outbox import services as outbox
from outbox.kinds import Cancel, Kind
from outbox.messages import OutboxEmail
from outbox.models import Delivery
from tickets import events
from tickets.email_parsing import DESK_HEADER
from tickets.email_trust import desk_message_id
from tickets.models import Message, NotificationLog, Ticket
from tickets.tokens import follow_token_for

logger = logging.getLogger(__name__)

LogKind = NotificationLog.Kind
CONFIRMATIONS_PER_HOUR = 5
CONFIRMED_CHANNELS = (Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.API)
FRESH_LINKS = "fresh_links"


# --- Subscriptions (called from TicketsConfig.ready) -------------------------------------------


def connect() -> None:
    events.ticket_created.connect(_on_ticket_created, dispatch_uid="tickets.notifications.ticket_created")
    events.message_added.connect(_on_message_added, dispatch_uid="tickets.notifications.message_added")


def _on_ticket_created(sender, ticket_id: int, **payload) -> None:
    channel = Ticket.objects.filter(pk=ticket_id).values_list("channel", flat=True).first()
    if channel in CONFIRMED_CHANNELS:
        notification_schedule(kind=LogKind.CONFIRMATION, ticket_id=ticket_id)


def _on_message_added(sender, ticket_id: int, message_id: int, is_public: bool, from_customer: bool,
                      **payload) -> None:
    if is_public and not from_customer:
        notification_schedule(kind=LogKind.REPLY_TO_CUSTOMER, ticket_id=ticket_id, message_id=message_id)
    elif from_customer and Ticket.objects.filter(pk=ticket_id, assignee__isnull=False).exists():
        notification_schedule(kind=LogKind.CUSTOMER_REPLIED, ticket_id=ticket_id, message_id=message_id)


# --- Scheduling ---------------------------------------------------------------------------------


def notification_schedule(*, kind: str, ticket_id: int, message_id: int | None = None) -> NotificationLog:
    """Record that a notification is due (once per ticket or message), with its delivery in the outbox
    (a worker is kicked after commit)."""
    key = {"kind": kind, "ticket_id": ticket_id, "message_id": message_id}
    existing = NotificationLog.objects.filter(**key).first()
    if existing is not None:
        return existing
    reference = Ticket.objects.filter(pk=ticket_id).values_list("reference", flat=True).first() or ""
    try:
        with transaction.atomic():
            delivery = outbox.delivery_create(kind=kind, reference=reference)
            return NotificationLog.objects.create(**key, delivery=delivery)
    except IntegrityError:  # scheduled concurrently: the other one has its delivery
        return NotificationLog.objects.get(**key)


def notification_send(*, kind: str, ticket_id: int | None = None, message_id: int | None = None) -> bool:
    """Send this notification now if it has not gone out yet (scheduling it if need be). True when it
    was sent now; False when it was already sent, is not to be sent, or its ticket or message is gone.
    A failed attempt is recorded on its delivery and retried by the outbox."""
    if kind == LogKind.CONFIRMATION:
        message_id = None
        if not Ticket.objects.filter(pk=ticket_id).exists():
            return False
    else:
        ticket_id = Message.objects.filter(pk=message_id).values_list("ticket_id", flat=True).first()
        if ticket_id is None:
            return False
    log = notification_schedule(kind=kind, ticket_id=ticket_id, message_id=message_id)
    return outbox.delivery_send(delivery_id=log.delivery_id) == "sent"


def fresh_links_request(*, email: str) -> Delivery:
    """Email the customer fresh follow links for their recent tickets. The row is written whatever the
    address (so the page answers the same, as fast, either way); an unknown address is cancelled when
    the outbox builds it."""
    return outbox.delivery_create(kind=FRESH_LINKS, recipient=email.strip()[:320])


# --- Building the emails ------------------------------------------------------------------------


def outgoing_message_id(ticket: Ticket, kind: str, row_id: int) -> str:
    """Message-ID of an email about `ticket`, built from its outbox row (`kind` + id): the same
    notification always has the same id, and only the desk can make one (`tickets.email_trust`), so a
    reply that quotes it in In-Reply-To proves it answers this ticket's mail."""
    return desk_message_id(f"{kind}{row_id}", reference=ticket.reference)


def confirmation_message_id(ticket: Ticket) -> str:
    return outgoing_message_id(ticket, "c", ticket.pk)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def follow_url(ticket: Ticket) -> str:
    return site_url(reverse("tickets:follow", args=[follow_token_for(ticket)]))


def _workspace_url(ticket: Ticket) -> str:
    try:
        return site_url(reverse("tickets:detail", args=[ticket.reference]))
    except Exception:  # the workspace page is another module's; fall back to the list
        return site_url(reverse("tickets:list") + f"?q={ticket.reference}")


def reply_marker() -> str:
    """The line above which a customer types a reply by email, in the active language (the email's); the
    parser recognises it in any language by its delimiters (`tickets.email_parsing`)."""
    line = gettext("Please type your reply above this line")
    return f"##- {line} -##"


def _customer_language(customer: Customer, ticket: Ticket) -> str:
    return customer.language or ticket.language or settings.LANGUAGE_CODE


def _email(
    *, subject: str, template: str, context: dict, to: str, message_id: str, thread: list[str]
) -> OutboxEmail:
    text = render_to_string(f"tickets/email/{template}.txt", context)
    html = render_to_string(f"tickets/email/{template}.html", context)
    headers = {
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",  # RFC 3834: auto-responders must not answer it
        DESK_HEADER: context["ticket"].reference,
        "Content-Language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread)
    email = OutboxEmail(
        subject=" ".join(subject.split()), body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        reply_to=[settings.DEFAULT_FROM_EMAIL], headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def _customer_email_ok(customer: Customer) -> bool:
    return bool(customer.email) and not customer.email.lower().endswith(".invalid")


def _confirmations_sent_lately(addresses: set[str]) -> dict[str, int]:
    """Confirmations sent to these addresses (lower case) in the last hour (one query)."""
    rows = (Delivery.objects.filter(kind=LogKind.CONFIRMATION, state=Delivery.State.SENT,
                                    sent_at__gte=timezone.now() - timedelta(hours=1))
            .filter(recipient__in={address for a in addresses for address in (a, a.lower())})
            .values_list("recipient", flat=True))
    counts: dict[str, int] = {}
    for recipient in rows:
        counts[recipient.lower()] = counts.get(recipient.lower(), 0) + 1
    return counts


def _build_confirmation(ticket: Ticket, sent_lately: dict[str, int]):
    customer = ticket.customer
    if not _customer_email_ok(customer):
        return Cancel("no_email")
    address = customer.email.lower()
    if sent_lately.get(address, 0) >= CONFIRMATIONS_PER_HOUR:  # an auto-responder without Auto-Submitted
        return Cancel("too_many_confirmations")  # would loop with us
    inbound_id, held_because = ticket.emails.filter(outcome="new_ticket").values_list(
        "message_id", "held_because").first() or (None, "")
    if held_because:  # the From address may be forged: tell nobody before an agent has looked
        return Cancel("held_for_review")
    sent_lately[address] = sent_lately.get(address, 0) + 1  # counts within this batch too
    with translation.override(_customer_language(customer, ticket)):
        context = {"ticket": ticket, "customer": customer, "follow_url": follow_url(ticket), "marker": reply_marker()}
        subject = render_to_string("tickets/email/confirmation_subject.txt", context)
        return _email(subject=subject, template="confirmation", context=context, to=customer.email,
                      message_id=confirmation_message_id(ticket), thread=[inbound_id] if inbound_id else [])


def _build_reply(ticket: Ticket, message: Message):
    customer = ticket.customer
    # Only a staff member's public reply is ever sent to a customer: never a note, never anything else.
    if message.kind != Message.Kind.REPLY or message.author_user_id is None:
        return Cancel("not_a_public_reply")
    if not _customer_email_ok(customer):
        return Cancel("no_email")
    thread = [confirmation_message_id(ticket)]
    last_inbound = (
        Message.objects.filter(ticket=ticket, author_user__isnull=True, created_at__lte=message.created_at)
        .exclude(email_message_id="").order_by("-created_at", "-id").values_list("email_message_id", flat=True).first()
    )
    if last_inbound:
        thread.append(last_inbound)
    with translation.override(_customer_language(customer, ticket)):
        context = {
            "ticket": ticket, "customer": customer, "reply": message, "follow_url": follow_url(ticket),
            "marker": reply_marker(), "author_name": message.author_user.get_full_name() or "",
            "attachment_names": list(message.attachments.values_list("filename", flat=True)),
        }
        subject = render_to_string("tickets/email/reply_subject.txt", context)
        return _email(subject=subject, template="reply", context=context, to=customer.email,
                      message_id=outgoing_message_id(ticket, "r", message.pk), thread=thread)


def _build_customer_replied(ticket: Ticket, message: Message):
    assignee = ticket.assignee
    if assignee is None or not assignee.email:
        return Cancel("no_email")
    if message.author_user_id is not None:
        return Cancel("not_a_customer_reply")
    language = getattr(getattr(assignee, "profile", None), "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"ticket": ticket, "customer": ticket.customer, "reply": message, "assignee": assignee,
                   "ticket_url": _workspace_url(ticket)}
        subject = render_to_string("tickets/email/customer_replied_subject.txt", context)
        return _email(subject=subject, template="customer_replied", context=context, to=assignee.email,
                      message_id=outgoing_message_id(ticket, "s", message.pk), thread=[])


def _build_fresh_links(delivery: Delivery):
    from accounts.selectors import customer_by_email

    customer = customer_by_email(delivery.recipient)
    if customer is None or not _customer_email_ok(customer):
        return Cancel("unknown_address")
    tickets = list(customer.tickets.select_related("customer").order_by("-created_at")[:10])
    if not tickets:
        return Cancel("unknown_address")
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        context = {"customer": customer, "links": [(t, follow_url(t)) for t in tickets], "ticket": tickets[0]}
        subject = render_to_string("tickets/email/fresh_links_subject.txt", context)
        return _email(subject=subject, template="fresh_links", context=context, to=customer.email,
                      message_id=desk_message_id(f"links{delivery.pk}"), thread=[])


# --- The kinds of the outbox (registered in TicketsConfig.ready) --------------------------------

CANCEL_REASONS = {
    "no_email": _("No email address"),
    "too_many_confirmations": _("Too many confirmations to this address within an hour"),
    "held_for_review": _("The ticket is held for review: no confirmation"),
    "not_a_public_reply": _("Not a public staff reply"),
    "not_a_customer_reply": _("Not a customer reply"),
    "unknown_address": _("No customer with this address"),
}


class TicketNotificationKind(Kind):
    """The confirmation, the reply to the customer and the customer's reply to the assignee: one per
    `NotificationLog` row, built in the recipient's language."""

    cancel_reasons = CANCEL_REASONS

    def __init__(self, name: str, label) -> None:
        self.name, self.label = name, label

    def build(self, deliveries: Sequence[Delivery]) -> dict:
        logs = list(
            NotificationLog.objects.filter(delivery_id__in=[d.pk for d in deliveries])
            .select_related("ticket__customer", "ticket__assignee__profile", "message__author_user")
        )
        sent_lately = (_confirmations_sent_lately({log.ticket.customer.email for log in logs})
                       if self.name == LogKind.CONFIRMATION else {})
        built = {}
        for log in logs:
            if self.name == LogKind.CONFIRMATION:
                built[log.delivery_id] = _build_confirmation(log.ticket, sent_lately)
            elif self.name == LogKind.REPLY_TO_CUSTOMER:
                built[log.delivery_id] = _build_reply(log.ticket, log.message)
            else:
                built[log.delivery_id] = _build_customer_replied(log.ticket, log.message)
        return built

    def sent(self, delivery_ids: list[int], at) -> None:
        if self.name != LogKind.REPLY_TO_CUSTOMER:
            return
        # Replies to this email are threaded by matching their In-Reply-To against this id.
        rows = NotificationLog.objects.filter(delivery_id__in=delivery_ids).values_list("message_id",
                                                                                         "delivery__message_id")
        for message_id, email_message_id in rows:
            Message.objects.filter(pk=message_id).update(email_message_id=email_message_id)


class FreshLinksKind(Kind):
    name = FRESH_LINKS
    label = _("Fresh links to a customer's tickets")
    cancel_reasons = CANCEL_REASONS

    def build(self, deliveries: Sequence[Delivery]) -> dict:
        return {delivery.pk: _build_fresh_links(delivery) for delivery in deliveries}


KINDS = [
    TicketNotificationKind(LogKind.CONFIRMATION, LogKind.CONFIRMATION.label),
    TicketNotificationKind(LogKind.REPLY_TO_CUSTOMER, LogKind.REPLY_TO_CUSTOMER.label),
    TicketNotificationKind(LogKind.CUSTOMER_REPLIED, LogKind.CUSTOMER_REPLIED.label),
    FreshLinksKind(),
]
