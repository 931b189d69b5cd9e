"""Signed, expiring links that let a customer follow a ticket without an account."""

from django.conf import settings
from django.core import signing

from tickets.models import Ticket

FOLLOW_SALT = "tickets.follow"


def follow_token_for(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=FOLLOW_SALT, compress=True)


def ticket_from_follow_token(token: str) -> Ticket | None:
    """The ticket a follow token names, or None when the token is tampered with or expired."""
    try:
        data = signing.loads(token, salt=FOLLOW_SALT, max_age=settings.TICKET_LINK_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    tickets = Ticket.objects.select_related("customer", "queue")
    return tickets.filter(pk=data.get("t"), customer_id=data.get("c")).first()
