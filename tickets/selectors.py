"""Reads of tickets: the permission-checked querysets every page and API endpoint starts from."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, role_of
from accounts.selectors import team_ids_of
from tickets.models import Message, Queue, Ticket


def visible_to(user) -> QuerySet[Ticket]:
    """Tickets `user` may see: admins all, staff their teams' queues, customers their own."""
    role = role_of(user)
    tickets = Ticket.objects.all()
    if role == Role.ADMIN:
        return tickets
    if role in (Role.AGENT, Role.SUPERVISOR):
        return tickets.filter(queue__team_id__in=team_ids_of(user))
    if role == Role.CUSTOMER:
        return tickets.filter(customer__user=user)
    return tickets.none()


def queues_visible_to(user) -> QuerySet[Queue]:
    role = role_of(user)
    if role == Role.ADMIN:
        return Queue.objects.select_related("team")
    if role in (Role.AGENT, Role.SUPERVISOR):
        return Queue.objects.filter(team_id__in=team_ids_of(user)).select_related("team")
    return Queue.objects.none()


_REFERENCE_MAX_LENGTH = Ticket._meta.get_field("reference").max_length


def _could_be_reference(reference) -> bool:
    return isinstance(reference, str) and 0 < len(reference) <= _REFERENCE_MAX_LENGTH and "\x00" not in reference


def ticket_get_for_user(*, user, reference: str) -> Ticket:
    """The ticket if `user` may see it; Http404 otherwise (no existence leak).

    A `reference` that cannot name a ticket (too long, or with a NUL byte, which PostgreSQL refuses
    in a query with an error) is a 404 too, never sent to the database.
    """
    if not _could_be_reference(reference):
        raise Http404
    ticket = (
        visible_to(user)
        .select_related("customer", "queue__team", "assignee")
        .filter(reference__iexact=reference)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def messages_visible_to(user, ticket: Ticket) -> QuerySet[Message]:
    """Public replies for customers; replies and internal notes for staff who can see the ticket."""
    messages = ticket.messages.select_related("author_user", "author_customer").prefetch_related("attachments")
    if role_of(user) in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return messages
    return messages.filter(kind=Message.Kind.REPLY)


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    return ticket.messages.filter(kind=Message.Kind.REPLY).select_related("author_user", "author_customer")
