"""Domain errors of the escalation app: each has a stable code and a translatable message."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import Conflict, DomainError


class SelfApproval(DomainError):
    code = "self_approval"
    default_message = _("Nobody approves their own remedy: another supervisor has to decide.")
    status_code = 403


class RemedyAlreadyDecided(Conflict):
    code = "remedy_already_decided"
    default_message = _("This remedy has already been decided.")


class AuthorityExceeded(DomainError):
    code = "authority_exceeded"
    default_message = _("This remedy is above your own authority (%(limit)s); pass it up a tier.")
    status_code = 403


class InvalidRemedy(DomainError):
    code = "invalid_remedy"
    default_message = _("This remedy is not valid: %(problem)s")


class EscalationClosed(Conflict):
    code = "escalation_closed"
    default_message = _("This escalation is already closed.")


class NotAllowed(DomainError):
    code = "not_allowed"
    default_message = _("You may not do this on this escalation.")
    status_code = 403


class InvalidHandler(DomainError):
    code = "invalid_handler"
    default_message = _("%(user)s cannot handle this escalation.")


class IllegalEscalationTransition(DomainError):
    code = "illegal_escalation_transition"
    default_message = _("An escalation cannot go from %(from_state)s to %(to_state)s.")
