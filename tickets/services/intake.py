"""Customer intake: the public web form and customer replies (email: `tickets.services.email_intake`).

Every path ends in the same two writers, `ticket_create` and `message_add`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower

from helpdesk.errors import DomainError
from tickets import attachments as files
from tickets.models import Customer, Message, Ticket

from .lifecycle import message_add, ticket_create
from .people import customer_get_or_create

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


def customer_by_email(email: str) -> Customer | None:
    """The customer with this address, through the index on LOWER(email) (`iexact` would scan the table)."""
    return Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower()).first()


def customer_find_or_create(*, email: str, name: str, language: str) -> Customer:
    return customer_by_email(email) or customer_get_or_create(email=email, name=name, language=language)


def language_or_default(*candidates: str) -> str:
    for code in candidates:
        code = (code or "").split("-")[0].lower()
        if code in _LANGUAGE_CODES:
            return code
    return settings.LANGUAGE_CODE
