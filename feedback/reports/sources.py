"""Data the reports take from apps that feedback may not import (dependencies point tickets <- feedback
<- escalation): those apps register a function here in their AppConfig.ready().

    from feedback.reports.sources import register_escalation_counts
    register_escalation_counts(escalation.selectors.escalated_tickets_per_agent)

`fn(*, start: date, end: date, agent_ids: Sequence[int] | None) -> dict[agent_id, escalated_ticket_count]`,
both days included, agents without an escalated ticket absent. Without a registered source the reports
say the escalated share is not available (never 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

EscalationCounts = Callable[..., dict[int, int]]

_escalation_counts: EscalationCounts | None = None


def register_escalation_counts(fn: EscalationCounts | None) -> EscalationCounts | None:
    """Register the escalated-tickets-per-agent source (None unregisters). Returns the previous one."""
    global _escalation_counts
    previous, _escalation_counts = _escalation_counts, fn
    return previous


def escalation_counts_available() -> bool:
    return _escalation_counts is not None


def escalated_tickets_per_agent(*, start: dt.date, end: dt.date, agent_ids: Sequence[int]) -> dict[int, int] | None:
    """{agent id: escalated tickets} in [start, end], or None when no source is registered."""
    if _escalation_counts is None:
        return None
    if not agent_ids:
        return {}
    return dict(_escalation_counts(start=start, end=end, agent_ids=list(agent_ids)))
