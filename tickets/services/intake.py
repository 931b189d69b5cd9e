"""Intake: the public web form, customer replies (email: `tickets.services.email_intake`), and staff opening
a ticket on a customer's behalf (the workspace's phone form and the API).

Every path ends in the same writers, `ticket_create` and `message_add` (and `ticket_assign`), each user
action in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Customer
from accounts.selectors import customer_by_email
from accounts.services import customer_get_or_create
from helpdesk.errors import DomainError
from tickets import attachments as files
from tickets.models import Message, Queue, Ticket

from .lifecycle import ticket_assign, ticket_create
from .messages import message_add

User = get_user_model()
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
    customer = customer_find_or_create(email=email, name=name, language=language_or_default(language))
    ticket = ticket_create(
        customer=customer, subject=subject, description=description, channel=channel,
        language=language_or_default(language, customer.language),
    )
    for checked in attachments:
        files.attachment_store(ticket=ticket, file=checked)
    return ticket


@transaction.atomic
def ticket_open_for_customer(
    *,
    actor: User,
    customer_email: str,
    customer_name: str = "",
    subject: str,
    description: str,
    channel: str,
    queue: Queue | None = None,
    priority: str = Ticket.Priority.NORMAL,
    kind: str = Ticket.Kind.QUESTION,
    language: str | None = None,
    tags: Iterable[str] = (),
    assignee: User | None = None,
) -> Ticket:
    """Staff open a ticket for a customer (on the phone, through the API), assigned to `assignee` if given.

    One action, one transaction: the customer found or created by email, the ticket and its assignment
    commit together, and their events go out after that commit. A refused assignment (InvalidAssignee)
    leaves nothing behind, so the form that sent it can be corrected and sent again without a duplicate.
    """
    customer = customer_get_or_create(email=customer_email, name=customer_name, language=language or "en")
    ticket = ticket_create(
        customer=customer, subject=subject, description=description, channel=channel, queue=queue,
        priority=priority, kind=kind, language=language, actor=actor, tags=tags,
    )
    if assignee is not None:
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor)
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
    phrase=None,
) -> Message:
    """A public reply by the ticket's customer (follow page, their account, or email). `phrase`: what the
    desk says in place of an empty text ("(attachments only)"), rendered in each reader's language."""
    if customer.pk != ticket.customer_id:
        raise DomainError()
    return message_add(
        ticket=ticket, body=body, kind=Message.Kind.REPLY, author_customer=customer, channel=channel,
        email_message_id=email_message_id, attachments=attachments, phrase=phrase,
    )


def customer_find_or_create(*, email: str, name: str, language: str) -> Customer:
    return customer_by_email(email) or customer_get_or_create(email=email, name=name, language=language)


def language_or_default(*candidates: str) -> str:
    for code in candidates:
        code = (code or "").split("-")[0].lower()
        if code in _LANGUAGE_CODES:
            return code
    return settings.LANGUAGE_CODE
