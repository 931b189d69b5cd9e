"""Messages on a ticket: a reply or an internal note, and how it moves the ticket along."""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from helpdesk import phrases
from helpdesk.errors import DomainError
from tickets import events
from tickets.attachments import CheckedFile, attachment_store, check_total_size
from tickets.exceptions import StaleTicket, TicketClosed
from tickets.models import Message, Ticket
from tickets.services.lifecycle import check_message_length, ticket_transition
from tickets.services.search import search_document

User = get_user_model()
Status = Ticket.Status

_LIVE_FIELDS = ("status", "version", "reopen_count", "resolved_at", "closed_at", "first_response_at")


def _refresh_locked(ticket: Ticket) -> None:
    """Reload the fields the life cycle decides on, locking the row until the transaction ends."""
    stored = Ticket.objects.select_for_update().only(*_LIVE_FIELDS).get(pk=ticket.pk)
    for field in _LIVE_FIELDS:
        setattr(ticket, field, getattr(stored, field))


@transaction.atomic
def message_add(
    *,
    ticket: Ticket,
    body: str,
    kind: str = Message.Kind.REPLY,
    author_user: User | None = None,
    author_customer: Customer | None = None,
    channel: str = Ticket.Channel.WEB,
    email_message_id: str = "",
    created_at=None,
    expected_version: int | None = None,
    status: str | None = None,
    attachments: Sequence[CheckedFile] = (),
    phrase=None,
) -> Message:
    """Add a reply or an internal note, moving the ticket along as a helpdesk would.

    A customer's reply reopens a resolved ticket and wakes a pending one; an agent's first public
    reply sets the first-response time and opens a new ticket. Staff may send a status change with
    the message (`status`, e.g. "reply and set pending"); `attachments` are stored with it.

    Concurrency rule (`expected_version`, the version the sender's page or client last read):
    - a message alone is ALWAYS accepted, even if the ticket changed since: messages append, they
      overwrite nothing, and refusing would lose what was written. (The page shows the other
      person's changes above the new message.)
    - a field change sent with it (`status`) is refused with StaleTicket when the ticket is no longer
      at `expected_version`, and then the message is refused with it (one submission, all or
      nothing): the sender reloads, sees what changed, and sends again, their text kept by the view.
    Without `expected_version` nothing is checked (email, automatic callers).

    Decisions are taken on the stored ticket, locked for the transaction, not on the caller's copy:
    a page or email loaded before an agent resolved or closed the ticket must still reopen it (or be
    refused), and two simultaneous customer replies must not both try to reopen it (the second would
    fail as stale and the reply would be lost).
    """
    _check_message_allowed(ticket, body=body, kind=kind, author_user=author_user, status=status,
                           expected_version=expected_version, attachments=attachments)
    now = created_at or timezone.now()
    message = Message.objects.create(
        ticket=ticket, kind=kind, body=body, phrase=phrase or None, author_user=author_user,
        author_customer=author_customer, channel=channel, email_message_id=email_message_id, created_at=now,
    )
    for checked in attachments:
        attachment_store(ticket=ticket, message=message, file=checked)
    from_customer = author_user is None
    staff_reply = not from_customer and kind == Message.Kind.REPLY
    _touch_ticket(ticket, body=body, now=now, first_response=staff_reply)
    _move_ticket_on(ticket, author_user=author_user, status=status, staff_reply=staff_reply)
    events.publish(events.message_added, ticket_id=ticket.pk, message_id=message.pk,
                   is_public=kind == Message.Kind.REPLY, from_customer=from_customer)
    return message


def _check_message_allowed(ticket: Ticket, *, body: str, kind: str, author_user: User | None,
                           status: str | None, expected_version: int | None,
                           attachments: Sequence[CheckedFile]) -> None:
    """Refuse a message its author may not write, or one the stored (now locked) ticket cannot take."""
    if kind == Message.Kind.NOTE and author_user is None:
        raise DomainError(_("Only staff can write internal notes."))
    if status and author_user is None:
        raise DomainError()
    check_message_length(body)
    _refresh_locked(ticket)
    if ticket.status == Status.CLOSED:
        raise TicketClosed()
    if status and expected_version is not None and ticket.version != expected_version:
        raise StaleTicket()
    check_total_size(attachments)


def _touch_ticket(ticket: Ticket, *, body: str, now, first_response: bool) -> None:
    """Stamp the ticket with the message: first response (an agent's public reply), last update, search."""
    if first_response and ticket.first_response_at is None:
        Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(first_response_at=now)
        ticket.first_response_at = now
    # The agents' search document grows with the message, in this transaction.
    document = Concat(F("search_document"), Value("\n" + search_document(body))) if body else F("search_document")
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, search_document=document)
    ticket.updated_at = now


def _move_ticket_on(ticket: Ticket, *, author_user: User | None, status: str | None, staff_reply: bool) -> None:
    """The status a message brings: a customer's reply reopens or wakes the ticket, an agent's may set one
    (`status`), and an agent's first reply opens a new ticket."""
    if author_user is None and ticket.status in (Status.RESOLVED, Status.PENDING):
        ticket_transition(ticket=ticket, to_status=Status.OPEN, actor=None,
                          reason_phrase=phrases.phrase("tickets.reason.customer_replied"))
    elif status and status != ticket.status:
        ticket_transition(ticket=ticket, to_status=status, actor=author_user)
    elif staff_reply and ticket.status == Status.NEW:
        ticket_transition(ticket=ticket, to_status=Status.OPEN, actor=author_user)
