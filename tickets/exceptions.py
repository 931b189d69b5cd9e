from django.utils.translation import gettext_lazy as _

from helpdesk.errors import Conflict, DomainError


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = _("A ticket cannot go from %(from_status)s to %(to_status)s.")


class StaleTicket(Conflict):
    code = "stale_ticket"
    default_message = _("Someone else changed this ticket in the meantime. Reload it and try again.")


class TicketClosed(DomainError):
    code = "ticket_closed"
    default_message = _("This ticket is closed. Please open a new ticket.")


class InvalidAssignee(DomainError):
    code = "invalid_assignee"
    default_message = _("%(user)s is not a member of this ticket's team.")


class InvalidAttachment(DomainError):
    code = "invalid_attachment"
    default_message = _("This file cannot be attached.")


class MessageTooLong(DomainError):
    code = "message_too_long"
    default_message = _("The text is %(length)s characters long; at most %(limit)s are allowed.")
