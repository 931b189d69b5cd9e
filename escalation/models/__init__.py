"""Escalation: rules as data, working calendars, SLA clocks, escalations with their history, remedies.

Business rules live in `escalation.services`; these models hold only single-row invariants.
"""

from .escalations import (
    FLAG_PARAMETERS,
    PARAMETER_MAXIMUM,
    RULE_PARAMETERS,
    WHOLE_PARAMETERS,
    AuthorityLimit,
    Escalation,
    EscalationEvent,
    EscalationRule,
    Notification,
    Remedy,
    RemedyKind,
    Trigger,
    parameter_problem,
)
from .sla import (
    Holiday,
    SlaPolicy,
    TeamCalendar,
    TicketSla,
    WorkingPeriod,
)

__all__ = [
    "FLAG_PARAMETERS",
    "PARAMETER_MAXIMUM",
    "RULE_PARAMETERS",
    "WHOLE_PARAMETERS",
    "AuthorityLimit",
    "Escalation",
    "EscalationEvent",
    "EscalationRule",
    "Holiday",
    "Notification",
    "Remedy",
    "RemedyKind",
    "SlaPolicy",
    "TeamCalendar",
    "TicketSla",
    "Trigger",
    "WorkingPeriod",
    "parameter_problem",
]
