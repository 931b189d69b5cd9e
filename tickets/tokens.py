"""Signed, expiring links that let a customer follow a ticket without an account."""

from django.conf import settings
from django.core import signing

from tickets.models import Ticket

FOLLOW_SALT = "tickets.follow"


def follow_token_for(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=FOLLOW_SALT, compress=True)


def ticket_for_follow_token(token: str) -> tuple[Ticket | None, int]:
    """The ticket a follow token names and 200, or None and 410 (expired) / 404 (tampered, unknown)."""
    try:
        data = signing.loads(token, salt=FOLLOW_SALT, max_age=settings.TICKET_LINK_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired:
        return None, 410
    except signing.BadSignature:
        return None, 404
    if not isinstance(data, dict):
        return None, 404
    ticket = (
        Ticket.objects.select_related("customer", "queue", "assignee")
        .filter(pk=data.get("t"), customer_id=data.get("c"))
        .first()
    )
    return ticket, 200 if ticket else 404
