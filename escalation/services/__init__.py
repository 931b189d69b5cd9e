"""Every state change of the escalation app goes through these functions."""

from .escalations import escalation_raise, escalations_raise_many
from .handling import (
    escalation_acknowledge,
    escalation_reassign,
    escalation_resolve,
    escalation_return,
    escalation_take_over,
)
from .lifecycle import TRANSITIONS, allowed_transitions, escalation_transition
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
from .sla_targets import sla_calendar_changed, sla_policy_delete, sla_policy_save, team_calendar_delete
from .tier_up import escalation_tier_up, escalations_tier_up_many
from .triggers import repeat_contact_on_create, repeat_contact_on_reopen, service_recovery

__all__ = [
    "TRANSITIONS",
    "allowed_transitions",
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
    "escalation_transition",
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
    "sla_calendar_changed",
    "sla_closed",
    "sla_first_response",
    "sla_pause",
    "sla_policy_delete",
    "sla_policy_save",
    "sla_recompute",
    "sla_reopened",
    "sla_resume",
    "sla_start",
    "sla_sweep",
    "slas_resolved",
    "team_calendar_delete",
]
