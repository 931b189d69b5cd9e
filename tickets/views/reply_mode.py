"""The reply box stays in the mode the agent last sent in, per ticket: after an internal note the next
message is a note again until they choose "Public reply" (a reply box falling back to public after a
note is how a note reaches a customer by accident). Kept in the session, for the last tickets worked;
static/js/workspace.js also keeps a choice made before sending, for the browser tab.
"""

from tickets.models import Message, Ticket

SESSION_KEY = "tickets.reply_mode"
REMEMBERED_TICKETS = 50


def remembered_kind(request, ticket: Ticket) -> str:
    kind = request.session.get(SESSION_KEY, {}).get(str(ticket.pk))
    return kind if kind in Message.Kind.values else Message.Kind.REPLY


def remember_kind(request, ticket: Ticket, kind: str) -> None:
    kinds = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if k != str(ticket.pk)}
    kinds[str(ticket.pk)] = kind  # last in, so the oldest ticket is dropped first
    request.session[SESSION_KEY] = dict(list(kinds.items())[-REMEMBERED_TICKETS:])
