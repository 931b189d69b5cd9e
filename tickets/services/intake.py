"""Customer intake: the public web form, email (stdin command and IMAP poller) and customer replies.

Every path ends in the same two writers, `ticket_create` and `message_add`. Email is three pieces:
fetch (`ingest_email` command, `tickets.tasks.poll_imap`) -> parse (`tickets.email_parsing`, pure) ->
`ticket_create_from_email` (here), which records an `InboundEmail` row for every outcome.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from helpdesk.errors import DomainError
from tickets import attachments as files
from tickets.email_parsing import ParsedEmail, parse_email
from tickets.exceptions import InvalidAttachment
from tickets.models import Customer, InboundEmail, Message, NotificationLog, Ticket
from tickets.roles import STAFF_ROLES

from .lifecycle import message_add, ticket_create
from .people import customer_get_or_create

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error"  # a rejection on our side, not the email's fault: retried when it comes again
_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- Web form and follow page -------------------------------------------------------------------


@transaction.atomic
def ticket_create_from_form(
    *,
    name: str,
    email: str,
    subject: str,
    description: str,
    attachments: Sequence[files.CheckedFile] = (),
    language: str = "",
    channel: str = Ticket.Channel.WEB,
) -> Ticket:
    """Open a ticket from the public form (no login): the customer is found or created by email."""
    files.check_total_size(attachments)
    customer = _customer_for(email=email, name=name, language=_language_or_default(language))
    ticket = ticket_create(
        customer=customer, subject=subject, description=description, channel=channel,
        language=_language_or_default(language, customer.language),
    )
    for checked in attachments:
        files.attachment_store(ticket=ticket, file=checked)
    return ticket


@transaction.atomic
def customer_reply(
    *,
    ticket: Ticket,
    customer: Customer,
    body: str,
    attachments: Sequence[files.CheckedFile] = (),
    channel: str = Ticket.Channel.WEB,
    email_message_id: str = "",
) -> Message:
    """A public reply by the ticket's customer (follow page, their account, or email)."""
    if customer.pk != ticket.customer_id:
        raise DomainError()
    return message_add(
        ticket=ticket, body=body, kind=Message.Kind.REPLY, author_customer=customer, channel=channel,
        email_message_id=email_message_id, attachments=attachments,
    )


def customer_by_email(email: str) -> Customer | None:
    """The customer with this address, through the index on LOWER(email) (`iexact` would scan the table)."""
    return Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower()).first()


def _customer_for(*, email: str, name: str, language: str) -> Customer:
    return customer_by_email(email) or customer_get_or_create(email=email, name=name, language=language)


def _language_or_default(*candidates: str) -> str:
    for code in candidates:
        code = (code or "").split("-")[0].lower()
        if code in _LANGUAGE_CODES:
            return code
    return settings.LANGUAGE_CODE


# --- Email --------------------------------------------------------------------------------------


@dataclass
class EmailIntakeResult:
    inbound: InboundEmail
    duplicate: bool = False
    refused_attachments: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.inbound.outcome == InboundEmail.Outcome.REJECTED

    @property
    def temporary(self) -> bool:
        """Rejected because of a failure on our side: worth delivering again later."""
        return self.rejected and self.inbound.reason.startswith(INTERNAL_ERROR)

    @property
    def summary(self) -> str:
        """One line for a log or a command's output."""
        if self.duplicate:
            return f"already received: {self.inbound.message_id} ({self.inbound.outcome})"
        if self.rejected:
            return f"rejected: {self.inbound.reason}"
        reference = self.inbound.ticket.reference if self.inbound.ticket else "?"
        verb = "new ticket" if self.inbound.outcome == InboundEmail.Outcome.NEW_TICKET else "reply on"
        return f"{verb} {reference}"


def desk_addresses() -> set[str]:
    """Addresses the desk sends from: mail from them coming back in is a loop."""
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1], parseaddr(getattr(settings, "SERVER_EMAIL", ""))[1]}
    addresses.update(getattr(settings, "DESK_EMAIL_ADDRESSES", ()))
    return {a.lower() for a in addresses if a}


def rejection_reason(parsed: ParsedEmail) -> str:
    """Why this email cannot become a ticket or a reply, or "" when it can."""
    if parsed.malformed:
        return f"malformed message: {parsed.malformed}"
    if parsed.is_bounce:
        return "bounce (delivery status notification)"
    if parsed.from_desk or parsed.sender.lower() in desk_addresses():
        return "mail loop: sent by this desk"
    if not parsed.sender:
        return "no sender address"
    if parsed.is_auto_submitted:
        return "automatic reply (auto-submitted)"
    if _is_staff_reply(parsed):
        return "a staff member answered by email: answers are written in the desk, not by email"
    return ""


def ticket_create_from_email(*, raw: bytes) -> EmailIntakeResult:
    """Turn one received email into a new ticket or a reply, or record why it cannot be one.

    Never raises for bad input: every outcome is an `InboundEmail` row. The same Message-ID twice
    returns the first row and changes nothing.
    """
    parsed = parse_email(raw)
    message_id = (parsed.message_id or _synthetic_message_id(raw))[:255]
    existing = InboundEmail.objects.select_related("ticket").filter(message_id=message_id).first()
    if existing is not None and existing.reason.startswith(INTERNAL_ERROR):
        existing.delete()  # it failed on our side last time (the MTA or poller retries): try again
    elif existing is not None:
        return EmailIntakeResult(inbound=existing, duplicate=True)
    reason = rejection_reason(parsed)
    if reason:
        return _record_rejected(parsed, raw, message_id, reason)
    try:
        return _accept(parsed, raw, message_id)
    except IntegrityError as exc:
        existing = InboundEmail.objects.select_related("ticket").filter(message_id=message_id).first()
        if existing is not None:  # the same email, ingested concurrently by another process
            return EmailIntakeResult(inbound=existing, duplicate=True)
        logger.error("email %s could not be stored: %s", message_id, exc)
        return _record_rejected(parsed, raw, message_id, f"{INTERNAL_ERROR}: {_one_line(exc)}")
    except DomainError as exc:
        return _record_rejected(parsed, raw, message_id, f"refused: {exc.detail}")
    except Exception as exc:  # a bug must not lose the email: keep it, visible to admins, with the reason
        logger.error("email %s could not be processed: %s: %s", message_id, type(exc).__name__, exc,
                     exc_info=settings.DEBUG)
        return _record_rejected(parsed, raw, message_id, f"{INTERNAL_ERROR}: {type(exc).__name__}: {_one_line(exc)}")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _synthetic_message_id(raw: bytes) -> str:
    """For mail without a Message-ID: the same bytes twice are the same email."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def _record_rejected(parsed: ParsedEmail, raw: bytes, message_id: str, reason: str) -> EmailIntakeResult:
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                message_id=message_id, sender=parsed.sender[:320], subject=parsed.subject[:500], raw=raw,
                outcome=InboundEmail.Outcome.REJECTED, reason=reason[:500],
            )
    except IntegrityError:
        inbound = InboundEmail.objects.select_related("ticket").get(message_id=message_id)
        return EmailIntakeResult(inbound=inbound, duplicate=True)
    logger.info("inbound email %s rejected: %s", message_id, reason)
    return EmailIntakeResult(inbound=inbound)


def _checked_attachments(parsed: ParsedEmail) -> tuple[list[files.CheckedFile], list[str]]:
    accepted, refused = [], []
    for attachment in parsed.attachments:
        try:
            accepted.append(files.check_file(name=attachment.name, data=attachment.data))
        except InvalidAttachment as exc:
            refused.append(exc.detail)
    accepted, left_out = files.within_limits(accepted)
    refused += [f"{file.name}: over the limit of {files.max_files()} files or "
                f"{files.max_total_bytes()} bytes per message" for file in left_out]
    return accepted, refused


@transaction.atomic
def _accept(parsed: ParsedEmail, raw: bytes, message_id: str) -> EmailIntakeResult:
    inbound = InboundEmail.objects.create(
        message_id=message_id, sender=parsed.sender[:320], subject=parsed.subject[:500], raw=raw,
        outcome=InboundEmail.Outcome.NEW_TICKET,
    )
    checked, refused = _checked_attachments(parsed)
    ticket = thread_ticket_for(parsed)
    if ticket is not None:
        customer_reply(
            ticket=ticket, customer=ticket.customer, body=parsed.reply_text or _no_text(checked),
            attachments=checked, channel=Ticket.Channel.EMAIL, email_message_id=message_id,
        )
        inbound.outcome = InboundEmail.Outcome.REPLY
    else:
        customer = _customer_for(
            email=parsed.sender, name=parsed.sender_name, language=_language_or_default(parsed.language)
        )
        ticket = ticket_create(
            customer=customer, subject=parsed.subject or "(no subject)", description=parsed.text or _no_text(checked),
            channel=Ticket.Channel.EMAIL, language=_language_or_default(parsed.language, customer.language),
        )
        for file in checked:
            files.attachment_store(ticket=ticket, file=file)
    inbound.ticket = ticket
    if refused:
        inbound.reason = ("attachments refused: " + "; ".join(refused))[:500]
    inbound.save(update_fields=["outcome", "ticket", "reason"])
    return EmailIntakeResult(inbound=inbound, refused_attachments=refused)


def _no_text(checked: Sequence[files.CheckedFile]) -> str:
    return "(attachments only)" if checked else "(no text)"


def _reference_pattern() -> re.Pattern:
    prefix = re.escape(settings.TICKET_REFERENCE_PREFIX)
    return re.compile(rf"\b({prefix}-\d+)\b", re.IGNORECASE)


def _thread_candidates(parsed: ParsedEmail) -> list[Ticket]:
    """Tickets this email says it answers: by In-Reply-To/References, else by the subject's reference."""
    ids = parsed.thread_ids
    if ids:
        ticket_ids = [
            *Message.objects.filter(email_message_id__in=ids).values_list("ticket_id", flat=True)[:5],
            *NotificationLog.objects.filter(email_message_id__in=ids).values_list("ticket_id", flat=True)[:5],
            *InboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False)
            .values_list("ticket_id", flat=True)[:5],
        ]
        references = [m.group(1).upper() for i in ids if (m := _reference_pattern().search(i))]
        candidates = list(
            Ticket.objects.select_related("customer")
            .filter(Q(pk__in=ticket_ids) | Q(reference__in=references))
            .order_by("-created_at")
        )
        if candidates:
            return candidates
    match = _reference_pattern().search(parsed.subject)
    if match:
        return list(Ticket.objects.select_related("customer").filter(reference=match.group(1).upper()))
    return []


def thread_ticket_for(parsed: ParsedEmail) -> Ticket | None:
    """The open-or-resolved ticket this email answers, or None for a new ticket.

    Matched by In-Reply-To/References against our outgoing notifications' Message-IDs and the
    customer's earlier emails, then by the `[DD-1234]` reference in the subject. A thread is only
    followed when the sender is the ticket's customer: a guessed reference never lets a stranger
    write into someone else's ticket. A reply to a closed ticket opens a new one.
    """
    sender = parsed.sender.lower()
    for ticket in _thread_candidates(parsed):
        if ticket.customer.email.lower() == sender and ticket.status != Ticket.Status.CLOSED:
            return ticket
    return None


def _is_staff_reply(parsed: ParsedEmail) -> bool:
    """A staff member answering a notification by email (the desk takes answers in the workspace only)."""
    staff = get_user_model().objects.filter(
        email__iexact=parsed.sender, is_active=True, groups__name__in=[r.value for r in STAFF_ROLES]
    )
    return staff.exists() and bool(_thread_candidates(parsed)) and thread_ticket_for(parsed) is None


# --- IMAP poller's processing -----------------------------------------------------------------


def mailbox_process(messages: Iterable[tuple[str, bytes]]) -> dict[str, EmailIntakeResult]:
    """Ingest fetched messages (uid, raw bytes); every one gets an outcome, one failure stops none."""
    results: dict[str, EmailIntakeResult] = {}
    for uid, raw in messages:
        results[uid] = ticket_create_from_email(raw=raw)
        logger.info("imap %s: %s", uid, results[uid].summary)
    return results
