"""Email notifications: confirmation of a new ticket, staff replies to the customer, customer replies
to the assignee, and fresh follow links.

The flow is an outbox: a ticket event (published after commit) schedules a `NotificationLog` row and
enqueues a Celery task; the task calls `notification_send`, which locks the row, sends once and marks
it sent. A failed send keeps the row pending with its error and is retried with backoff; a beat sweep
re-enqueues rows stuck pending. Internal notes never produce a customer email: only a staff member's
public reply is ever rendered into one, and only that one reply.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from helpdesk.celery import enqueue
from tickets import events
from tickets.email_parsing import DESK_HEADER
from tickets.email_trust import desk_message_id
from tickets.models import Customer, Message, NotificationLog, Ticket
from tickets.tokens import follow_token_for

logger = logging.getLogger(__name__)

K = NotificationLog.Kind
MAX_ATTEMPTS = 6  # the first try and Celery's five retries
CONFIRMATIONS_PER_HOUR = 5
CONFIRMED_CHANNELS = (Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.API)


# --- Subscriptions (called from TicketsConfig.ready) -------------------------------------------


def connect() -> None:
    events.ticket_created.connect(_on_ticket_created, dispatch_uid="tickets.notifications.ticket_created")
    events.message_added.connect(_on_message_added, dispatch_uid="tickets.notifications.message_added")


def _on_ticket_created(sender, ticket_id: int, **payload) -> None:
    channel = Ticket.objects.filter(pk=ticket_id).values_list("channel", flat=True).first()
    if channel in CONFIRMED_CHANNELS:
        notification_schedule(kind=K.CONFIRMATION, ticket_id=ticket_id)


def _on_message_added(sender, ticket_id: int, message_id: int, is_public: bool, from_customer: bool,
                      **payload) -> None:
    if is_public and not from_customer:
        notification_schedule(kind=K.REPLY_TO_CUSTOMER, ticket_id=ticket_id, message_id=message_id)
    elif from_customer and Ticket.objects.filter(pk=ticket_id, assignee__isnull=False).exists():
        notification_schedule(kind=K.CUSTOMER_REPLIED, ticket_id=ticket_id, message_id=message_id)


# --- Scheduling ---------------------------------------------------------------------------------


def _task_for(kind: str):
    from tickets import tasks

    return {
        K.CONFIRMATION: tasks.send_ticket_confirmation,
        K.REPLY_TO_CUSTOMER: tasks.notify_customer_of_reply,
        K.CUSTOMER_REPLIED: tasks.notify_assignee_of_customer_reply,
    }[kind]


def _task_argument(log: NotificationLog) -> int:
    return log.ticket_id if log.kind == K.CONFIRMATION else log.message_id


def notification_schedule(*, kind: str, ticket_id: int, message_id: int | None = None) -> NotificationLog:
    """Record that a notification is due (once per ticket or message) and enqueue it after commit."""
    try:
        with transaction.atomic():
            log, created = NotificationLog.objects.get_or_create(kind=kind, ticket_id=ticket_id, message_id=message_id)
    except IntegrityError:  # scheduled concurrently: the other one enqueues it
        return NotificationLog.objects.get(kind=kind, ticket_id=ticket_id, message_id=message_id)
    if created:
        task = _task_for(kind)
        transaction.on_commit(lambda: enqueue(task, _task_argument(log)))
    return log


def notifications_requeue_stuck(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Re-enqueue pending notifications whose task was lost (broker down, worker killed)."""
    stuck = NotificationLog.objects.filter(
        state=NotificationLog.State.PENDING, created_at__lt=timezone.now() - older_than, attempts__lt=MAX_ATTEMPTS
    ).only("id", "kind", "ticket_id", "message_id")[:500]
    count = 0
    for log in stuck:
        count += enqueue(_task_for(log.kind), _task_argument(log))
    return count


# --- Sending ------------------------------------------------------------------------------------


def notification_send(*, kind: str, ticket_id: int | None = None, message_id: int | None = None) -> bool:
    """Send the notification once. True when sent now; False when already sent, skipped or gone.

    SMTP and network errors are recorded on the row and re-raised for the task to retry.
    """
    if kind == K.CONFIRMATION:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            return False
        log_key = {"kind": kind, "ticket_id": ticket.pk, "message_id": None}
    else:
        message = Message.objects.filter(pk=message_id).only("id", "ticket_id").first()
        if message is None:
            return False
        log_key = {"kind": kind, "ticket_id": message.ticket_id, "message_id": message.pk}
    NotificationLog.objects.get_or_create(**log_key)  # a task enqueued directly still has its row
    failure: Exception | None = None
    with transaction.atomic():
        log = (
            NotificationLog.objects.select_for_update(of=("self",))
            .select_related("ticket__customer", "ticket__assignee", "message__author_user")
            .get(**log_key)
        )
        if log.state != NotificationLog.State.PENDING:
            return False
        email, skip_reason = _build(log)
        if email is None:
            _finish(log, NotificationLog.State.SKIPPED, error=skip_reason)
            return False
        try:
            email.send()
        except (SMTPException, OSError) as exc:
            failure = exc
        else:
            _finish(log, NotificationLog.State.SENT, recipient=email.to[0],
                    message_id=email.extra_headers["Message-ID"])
            return True
    _record_failure(log, failure)
    raise failure


def _finish(log: NotificationLog, state: str, *, error: str = "", recipient: str = "", message_id: str = "") -> None:
    log.state = state
    log.attempts += 1
    log.last_error = error[:500]
    if recipient:
        log.recipient = recipient[:320]
    if state == NotificationLog.State.SENT:
        log.sent_at = timezone.now()
        log.email_message_id = message_id
        if log.kind == K.REPLY_TO_CUSTOMER:
            # Replies to this email are threaded by matching their In-Reply-To against this id.
            Message.objects.filter(pk=log.message_id).update(email_message_id=message_id)
    log.save()


def _record_failure(log: NotificationLog, exc: Exception) -> None:
    attempts = log.attempts + 1
    state = NotificationLog.State.FAILED if attempts >= MAX_ATTEMPTS else NotificationLog.State.PENDING
    NotificationLog.objects.filter(pk=log.pk).update(
        attempts=attempts, state=state, last_error=f"{type(exc).__name__}: {exc}"[:500]
    )
    logger.warning("notification %s (%s) failed, attempt %s: %s", log.pk, log.kind, attempts, exc)


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
) -> EmailMultiAlternatives:
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
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        reply_to=[settings.DEFAULT_FROM_EMAIL], headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def _build(log: NotificationLog) -> tuple[EmailMultiAlternatives | None, str]:
    ticket = log.ticket
    if log.kind == K.CONFIRMATION:
        return _build_confirmation(ticket)
    message = log.message
    if log.kind == K.REPLY_TO_CUSTOMER:
        return _build_reply(ticket, message)
    return _build_customer_replied(ticket, message)


def _customer_email_ok(customer: Customer) -> bool:
    return bool(customer.email) and not customer.email.lower().endswith(".invalid")


def _build_confirmation(ticket: Ticket):
    customer = ticket.customer
    if not _customer_email_ok(customer):
        return None, "customer has no email address"
    recent = NotificationLog.objects.filter(
        kind=K.CONFIRMATION, state=NotificationLog.State.SENT, recipient__iexact=customer.email,
        sent_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    if recent >= CONFIRMATIONS_PER_HOUR:  # an auto-responder without Auto-Submitted would loop with us
        return None, f"more than {CONFIRMATIONS_PER_HOUR} confirmations to this address within an hour"
    inbound_id, held_because = ticket.emails.filter(outcome="new_ticket").values_list(
        "message_id", "held_because").first() or (None, "")
    if held_because:  # the From address may be forged: tell nobody before an agent has looked
        return None, f"held for review ({held_because}): no confirmation"
    with translation.override(_customer_language(customer, ticket)):
        context = {"ticket": ticket, "customer": customer, "follow_url": follow_url(ticket), "marker": reply_marker()}
        subject = render_to_string("tickets/email/confirmation_subject.txt", context)
        email = _email(subject=subject, template="confirmation", context=context, to=customer.email,
                       message_id=confirmation_message_id(ticket), thread=[inbound_id] if inbound_id else [])
    return email, ""


def _build_reply(ticket: Ticket, message: Message):
    customer = ticket.customer
    # Only a staff member's public reply is ever sent to a customer: never a note, never anything else.
    if message.kind != Message.Kind.REPLY or message.author_user_id is None:
        return None, "not a public staff reply"
    if not _customer_email_ok(customer):
        return None, "customer has no email address"
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
        email = _email(subject=subject, template="reply", context=context, to=customer.email,
                       message_id=outgoing_message_id(ticket, "r", message.pk), thread=thread)
    return email, ""


def _build_customer_replied(ticket: Ticket, message: Message):
    assignee = ticket.assignee
    if assignee is None or not assignee.email:
        return None, "no assignee with an email address"
    if message.author_user_id is not None:
        return None, "not a customer reply"
    language = getattr(getattr(assignee, "profile", None), "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"ticket": ticket, "customer": ticket.customer, "reply": message, "assignee": assignee,
                   "ticket_url": _workspace_url(ticket)}
        subject = render_to_string("tickets/email/customer_replied_subject.txt", context)
        email = _email(subject=subject, template="customer_replied", context=context, to=assignee.email,
                       message_id=outgoing_message_id(ticket, "s", message.pk), thread=[])
    return email, ""


def fresh_links_send(*, email: str) -> int:
    """Email the customer fresh follow links for their recent tickets. Nothing happens for an
    unknown address; the caller answers the same either way."""
    from tickets.services.intake import customer_by_email

    customer = customer_by_email(email)
    if customer is None or not _customer_email_ok(customer):
        return 0
    tickets = list(customer.tickets.select_related("customer").order_by("-created_at")[:10])
    if not tickets:
        return 0
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        context = {"customer": customer, "links": [(t, follow_url(t)) for t in tickets], "ticket": tickets[0]}
        subject = render_to_string("tickets/email/fresh_links_subject.txt", context)
        message = _email(subject=subject, template="fresh_links", context=context, to=customer.email,
                         message_id=desk_message_id(f"links{customer.pk}-{secrets.token_hex(8)}"),
                         thread=[])
    message.send()
    return len(tickets)
