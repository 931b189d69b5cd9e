"""Email intake: one received email becomes a new ticket, a reply, or a recorded rejection.

Three pieces: fetch (`ingest_email` command, `tickets.tasks.poll_imap`) -> parse
(`tickets.email_parsing`, pure, size-bounded) -> `ticket_create_from_email` (here), which records an
`InboundEmail` row for every outcome. The rules, in the order they are applied:

- Refused (not a person's message, or no way to tell whose): a bounce, our own mail coming back, no
  sender address, several addresses in From, an automatic reply, a staff member answering by email.
- A reply on an existing ticket only with proof that it answers the desk's mail about that ticket
  (a signed Message-ID in In-Reply-To/References, `tickets.email_trust`), from that ticket's
  customer, and not held. A reference in the subject is no proof: such an email opens a new ticket
  that names the ticket it mentions (`InboundEmail.mentioned_ticket`), shown to agents as a link.
- Held for review (dmarc or spf fail at a trusted receiving server, or a Sender other than From): a
  new ticket, never a reply, and no confirmation to an address that may be forged.
- Everything a person wrote is kept: a broken MIME structure is read as well as it can be, text past
  MESSAGE_MAX_LENGTH is cut, and in those cases (and for held mail) the original is attached as .eml.
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

from helpdesk.errors import DomainError
from helpdesk.phrases import Phrase, phrase
from tickets import attachments as files
from tickets import email_trust
from tickets.email_parsing import ParsedEmail, parse_email
from tickets.exceptions import InvalidAttachment
from tickets.models import InboundEmail, Ticket
from tickets.roles import STAFF_ROLES

from .intake import customer_find_or_create, customer_reply, language_or_default
from .lifecycle import message_max_length, ticket_create

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error"  # a rejection on our side, not the email's fault: retried when it comes again
ORIGINAL_NAME = "original-email.eml"


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
        notes = []
        if self.inbound.held_because:
            notes.append(f"held for review: {self.inbound.held_because}")
        if self.inbound.mentioned_ticket_id:
            notes.append(f"mentions {self.inbound.mentioned_ticket.reference}")
        return f"{verb} {reference}" + (f" ({'; '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class Threading:
    """Where an accepted email goes: onto `ticket`, or a new ticket naming `mentioned`, maybe held."""

    ticket: Ticket | None = None
    mentioned: Ticket | None = None
    held_because: str = ""


def desk_addresses() -> set[str]:
    """Addresses the desk sends from: mail from them coming back in is a loop."""
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1], parseaddr(getattr(settings, "SERVER_EMAIL", ""))[1]}
    addresses.update(getattr(settings, "DESK_EMAIL_ADDRESSES", ()))
    return {a.lower() for a in addresses if a}


def rejection_reason(parsed: ParsedEmail) -> str:
    """Why this email cannot become a ticket or a reply, or "" when it can."""
    if parsed.is_bounce:
        return "bounce (delivery status notification)"
    if parsed.from_desk or parsed.sender.lower() in desk_addresses():
        return "mail loop: sent by this desk"
    if not parsed.sender:
        return f"not an email: {parsed.malformed}" if parsed.malformed else "no sender address"
    if parsed.from_addresses > 1:
        return "ambiguous sender: several addresses in From"
    if parsed.is_auto_submitted:
        return "automatic reply (auto-submitted)"
    if _is_staff_reply(parsed):
        return "a staff member answered by email: answers are written in the desk, not by email"
    return ""


def parse_for_intake(raw: bytes) -> ParsedEmail:
    """The email parsed within the desk's limits: text up to MESSAGE_MAX_LENGTH, files up to ATTACHMENT_MAX_BYTES."""
    return parse_email(raw, text_limit=message_max_length(), file_limit=settings.ATTACHMENT_MAX_BYTES)


def ticket_create_from_email(*, raw: bytes) -> EmailIntakeResult:
    """Turn one received email into a new ticket or a reply, or record why it cannot be one.

    Never raises for bad input: every outcome is an `InboundEmail` row. The same Message-ID twice
    returns the first row and changes nothing.
    """
    parsed = parse_for_intake(raw)
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


def email_record_oversized(*, head: bytes, size: int) -> EmailIntakeResult:
    """Record an email too large to take in (over EMAIL_MAX_BYTES), from its headers alone."""
    parsed = parse_email(head)
    message_id = (parsed.message_id or _synthetic_message_id(head))[:255]
    existing = InboundEmail.objects.select_related("ticket").filter(message_id=message_id).first()
    if existing is not None:
        return EmailIntakeResult(inbound=existing, duplicate=True)
    reason = f"message of {size} bytes is larger than EMAIL_MAX_BYTES ({settings.EMAIL_MAX_BYTES})"
    return _record_rejected(parsed, head, message_id, reason)


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
    refused += [f"{name or 'a file'}: {size} bytes, over the limit of {settings.ATTACHMENT_MAX_BYTES} (kept in the "
                f"original email)" for name, size in parsed.oversized_files]
    return accepted, refused


@transaction.atomic
def _accept(parsed: ParsedEmail, raw: bytes, message_id: str) -> EmailIntakeResult:
    threading = email_threading(parsed)
    inbound = InboundEmail.objects.create(
        message_id=message_id, sender=parsed.sender[:320], subject=parsed.subject[:500], raw=raw,
        outcome=InboundEmail.Outcome.NEW_TICKET, held_because=threading.held_because,
        mentioned_ticket=threading.mentioned, text_truncated=parsed.text_truncated,
        structure_broken=bool(parsed.malformed),
    )
    checked, refused = _checked_attachments(parsed)
    ticket, reply = threading.ticket, None
    if ticket is not None:
        reply = customer_reply(
            ticket=ticket, customer=ticket.customer, body=parsed.reply_text,
            phrase=None if parsed.reply_text else _no_text(checked),
            attachments=checked, channel=Ticket.Channel.EMAIL, email_message_id=message_id,
        )
        inbound.outcome = InboundEmail.Outcome.REPLY
    else:
        ticket = _new_ticket(parsed, checked)
    if _keeps_original(parsed, threading):
        files.attachment_store(ticket=ticket, message=reply, file=files.CheckedFile(
            name=ORIGINAL_NAME, content_type="message/rfc822", data=raw))
    inbound.ticket = ticket
    if refused:
        inbound.reason = ("attachments refused: " + "; ".join(refused))[:500]
    inbound.save(update_fields=["outcome", "ticket", "reason"])
    return EmailIntakeResult(inbound=inbound, refused_attachments=refused)


def _new_ticket(parsed: ParsedEmail, checked: Sequence[files.CheckedFile]) -> Ticket:
    customer = customer_find_or_create(
        email=parsed.sender, name=parsed.sender_name, language=language_or_default(parsed.language)
    )
    ticket = ticket_create(
        customer=customer, subject=parsed.subject or _subject_from(parsed, checked), description=parsed.text,
        channel=Ticket.Channel.EMAIL, language=language_or_default(parsed.language, customer.language),
    )
    for file in checked:
        files.attachment_store(ticket=ticket, file=file)
    return ticket


def _keeps_original(parsed: ParsedEmail, threading: Threading) -> bool:
    """The original is attached whenever the ticket shows less than it: text cut, structure repaired,
    a file left out; and for held mail, whose headers the reviewer needs."""
    return bool(parsed.text_truncated or parsed.malformed or parsed.oversized_files or threading.held_because)


def _no_text(checked: Sequence[files.CheckedFile]) -> Phrase:
    """What an email without text shows in its place, in each reader's language (stored as a phrase)."""
    return phrase("tickets.email.attachments_only" if checked else "tickets.email.no_text")


SUBJECT_FROM_TEXT_LENGTH = 80


def _subject_from(parsed: ParsedEmail, checked: Sequence[files.CheckedFile]) -> str:
    """A subject for an email without one, from what its sender wrote (never a sentence of ours, which would
    be in one language for every reader): the text's first line, cut at a word; else the files' names; else
    the sender's name or address. An empty text is shown as "(no text)" in the reader's language."""
    first_line = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
    if len(first_line) > SUBJECT_FROM_TEXT_LENGTH:
        first_line = first_line[:SUBJECT_FROM_TEXT_LENGTH].rsplit(" ", 1)[0].rstrip() + " …"
    names = ", ".join(file.name for file in checked)
    return first_line or names or parsed.sender_name or parsed.sender


def _reference_pattern() -> re.Pattern:
    prefix = re.escape(settings.TICKET_REFERENCE_PREFIX)
    return re.compile(rf"\b({prefix}-\d+)\b", re.IGNORECASE)


def _named_references(parsed: ParsedEmail) -> tuple[list[str], list[str]]:
    """(references the email proves it answers, references its subject merely names)."""
    proven = email_trust.answered_references(parsed.thread_ids)
    named = [m.group(1).upper() for m in _reference_pattern().finditer(parsed.subject)]
    return proven, [reference for reference in named if reference not in proven]


def email_threading(parsed: ParsedEmail) -> Threading:
    """Where this email goes. A reply only with proof, from the ticket's own customer, to a ticket
    that is not closed, and never when held; otherwise a new ticket naming the ticket it mentions."""
    held = email_trust.held_because(parsed)
    proven, named = _named_references(parsed)
    if not proven and not named:
        return Threading(held_because=held)
    tickets = _tickets_by_reference([*proven, *named])
    sender = parsed.sender.lower()
    if not held:
        for reference in proven:
            ticket = tickets.get(reference)
            if ticket and ticket.customer.email.lower() == sender and ticket.status != Ticket.Status.CLOSED:
                return Threading(ticket=ticket)
    mentioned = next((tickets[r] for r in [*proven, *named] if r in tickets), None)
    return Threading(mentioned=mentioned, held_because=held)


def _tickets_by_reference(references: Iterable[str]) -> dict[str, Ticket]:
    found = Ticket.objects.select_related("customer").filter(reference__in=list(references)[:10])
    return {ticket.reference: ticket for ticket in found}


def _is_staff_reply(parsed: ParsedEmail) -> bool:
    """A staff member answering a notification by email (the desk takes answers in the workspace only)."""
    proven, named = _named_references(parsed)
    if not proven and not named:
        return False
    staff = get_user_model().objects.filter(
        email__iexact=parsed.sender, is_active=True, groups__name__in=[r.value for r in STAFF_ROLES]
    )
    return staff.exists() and email_threading(parsed).ticket is None


# --- IMAP poller's processing -----------------------------------------------------------------


def mailbox_process(messages: Iterable[tuple[str, bytes]]) -> dict[str, EmailIntakeResult]:
    """Ingest fetched messages (uid, raw bytes); every one gets an outcome, one failure stops none."""
    results: dict[str, EmailIntakeResult] = {}
    for uid, raw in messages:
        results[uid] = ticket_create_from_email(raw=raw)
        logger.info("imap %s: %s", uid, results[uid].summary)
    return results

