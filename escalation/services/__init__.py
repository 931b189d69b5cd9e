"""Every state change of the escalation app goes through these functions."""

from .escalations import (
    escalation_acknowledge,
    escalation_raise,
    escalation_reassign,
    escalation_resolve,
    escalation_return,
    escalation_take_over,
    escalation_tier_up,
    escalations_raise_many,
    escalations_tier_up_many,
)
from .notifications import notification_send, notify
from .rating_changes import escalation_rating_update
from .remedies import authority_limit_for, remedy_approve, remedy_decide, remedy_deny, remedy_propose
from .sla import (
    complaint_arm,
    sla_closed,
    sla_first_response,
    sla_pause,
    sla_recompute,
    sla_reopened,
    sla_resume,
    sla_start,
    sla_sweep,
    slas_resolved,
)
from .triggers import repeat_contact_on_create, repeat_contact_on_reopen, service_recovery

__all__ = [
    "authority_limit_for",
    "complaint_arm",
    "escalation_acknowledge",
    "escalation_raise",
    "escalation_rating_update",
    "escalation_reassign",
    "escalation_resolve",
    "escalation_return",
    "escalation_take_over",
    "escalation_tier_up",
    "escalations_raise_many",
    "escalations_tier_up_many",
    "notification_send",
    "notify",
    "remedy_approve",
    "remedy_decide",
    "remedy_deny",
    "remedy_propose",
    "repeat_contact_on_create",
    "repeat_contact_on_reopen",
    "service_recovery",
    "sla_closed",
    "sla_first_response",
    "sla_pause",
    "sla_recompute",
    "sla_reopened",
    "sla_resume",
    "sla_start",
    "sla_sweep",
    "slas_resolved",
]
