"""The ticket page's notes about the emails behind a ticket: held for review, a ticket it mentions,
text cut to the limit, a repaired structure. The sentences are in the template, in the reader's language."""

from django import template
from django.db.models import Q

from tickets.models import InboundEmail

register = template.Library()


@register.inclusion_tag("tickets/workspace/_email_notices.html")
def email_notices(ticket):
    """One query: the ticket's emails that need an agent's attention."""
    emails = (
        InboundEmail.objects.filter(ticket=ticket)
        .filter(Q(held_because__gt="") | Q(mentioned_ticket__isnull=False) | Q(text_truncated=True)
                | Q(structure_broken=True))
        .select_related("mentioned_ticket")
        .order_by("received_at", "id")
    )
    return {"emails": list(emails), "ticket": ticket}
