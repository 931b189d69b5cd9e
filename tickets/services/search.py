"""The agents' search document: one case-folded text per ticket (the customer's name and email, subject,
description, then every message body), searched with one indexed LIKE (`tickets.filters.search_condition`).

The services write it in the same transaction as the change (`ticket_create`, `message_add`); the
functions here rebuild it after changes made around them (the admin, a customer renamed in `accounts`).
"""

from django.db import transaction
from django.db.models import Prefetch

from accounts.models import Customer
from tickets.models import Message, Ticket

BATCH = 500


def search_document(*parts: str) -> str:
    """The search document (or a part to append): lines of text, case-folded once here so that the
    search compares with a plain LIKE (`tickets.filters.search_condition` folds the term the same way)."""
    return "\n".join(part for part in parts if part).casefold()


def customer_search_words(customer: Customer) -> tuple[str, str]:
    """What of the customer an agent searches by: their name and email (the document's first lines)."""
    return customer.name, customer.email


def search_document_rebuild(*, ticket: Ticket) -> None:
    """Recompute a ticket's search document from its customer, subject, description and messages.

    The services keep it current as they write; this is for changes made around them (the admin).
    """
    bodies = ticket.messages.order_by("created_at", "id").values_list("body", flat=True)
    ticket.search_document = search_document(
        *customer_search_words(ticket.customer), ticket.subject, ticket.description, *bodies
    )
    Ticket.objects.filter(pk=ticket.pk).update(search_document=ticket.search_document)


@transaction.atomic
def search_documents_rebuild_for_customer(*, customer: Customer) -> int:
    """Rebuild the search document of every ticket of `customer` (after their name or email changed).

    Set-wise: the tickets and their messages in two queries per 500 tickets, one UPDATE per batch.
    """
    bodies = Prefetch("messages", queryset=Message.objects.order_by("created_at", "id").only("ticket_id", "body"))
    tickets = (Ticket.objects.filter(customer=customer).only("pk", "subject", "description")
               .prefetch_related(bodies).order_by("pk"))
    words = customer_search_words(customer)
    batch: list[Ticket] = []
    count = 0
    for ticket in tickets.iterator(chunk_size=BATCH):
        ticket.search_document = search_document(
            *words, ticket.subject, ticket.description, *(m.body for m in ticket.messages.all())
        )
        batch.append(ticket)
        if len(batch) == BATCH:
            count += Ticket.objects.bulk_update(batch, ["search_document"])
            batch = []
    if batch:
        count += Ticket.objects.bulk_update(batch, ["search_document"])
    return count


def on_customer_renamed(sender, *, customer_id: int, **kwargs) -> None:
    """`accounts.events.customer_renamed`: agents search tickets by the customer's name and email."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is not None:
        search_documents_rebuild_for_customer(customer=customer)


def connect() -> None:
    from accounts import events as account_events

    account_events.customer_renamed.connect(on_customer_renamed, dispatch_uid="tickets.search.customer_renamed")
