"""Reading the rules that are data: escalation rules, SLA policies, team calendars."""

import contextlib
import contextvars

from django.db.models import Q

from accounts.models import Team
from escalation import business_hours
from escalation.models import EscalationRule, SlaPolicy, TeamCalendar, Trigger
from tickets.models import Queue

# Triggers an agent or a remedy raises by hand: a rule may tune them but never switch them off.
ALWAYS_ON = (Trigger.MANUAL, Trigger.AUTHORITY)

_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escalation_rules_memo", default=None)


@contextlib.contextmanager
def memoised():
    """Inside this block rules, policies and calendars are read once (the beat task's sweep)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _cached(key: tuple, compute):
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def rule_for(*, queue_id: int | None, trigger: str) -> EscalationRule:
    """The queue's own rule for `trigger`, else the all-queues rule, else an unsaved default."""
    return _cached(("rule", queue_id, trigger), lambda: _rule_for(queue_id, trigger))


def _rule_for(queue_id, trigger) -> EscalationRule:
    rules = list(EscalationRule.objects.filter(Q(queue_id=queue_id) | Q(queue__isnull=True), trigger=trigger))
    rules.sort(key=lambda r: r.queue_id is None)  # the queue's own first
    if rules:
        return rules[0]
    return EscalationRule(name=str(Trigger(trigger).label), trigger=trigger, queue_id=None, is_active=True)


def rule_is_active(rule: EscalationRule) -> bool:
    return rule.trigger in ALWAYS_ON or rule.is_active


def rules_for_queue(queue_id: int | None) -> dict[str, EscalationRule]:
    """Every trigger's effective rule for one queue, in one query."""
    return _cached(("rules", queue_id), lambda: _rules_for_queue(queue_id))


def _rules_for_queue(queue_id) -> dict[str, EscalationRule]:
    found: dict[str, EscalationRule] = {}
    for rule in sorted(EscalationRule.objects.filter(Q(queue_id=queue_id) | Q(queue__isnull=True)),
                       key=lambda r: r.queue_id is None):
        found.setdefault(rule.trigger, rule)
    for trigger in Trigger.values:
        found.setdefault(trigger, EscalationRule(name=str(Trigger(trigger).label), trigger=trigger, is_active=True))
    return found


def sla_policy_for(*, queue_id: int, priority: str) -> SlaPolicy | None:
    return _cached(("policy", queue_id, priority), lambda: _sla_policy_for(queue_id, priority))


def _sla_policy_for(queue_id, priority) -> SlaPolicy | None:
    policies = list(SlaPolicy.objects.filter(Q(queue_id=queue_id) | Q(queue__isnull=True), priority=priority))
    policies.sort(key=lambda p: p.queue_id is None)
    return policies[0] if policies else None


def calendar_for_team(team: Team | int | None) -> business_hours.Calendar:
    """The team's working calendar; office hours in the team's time zone when it has none."""
    team_id = team.pk if isinstance(team, Team) else team
    return _cached(("calendar", team_id), lambda: _calendar_for_team(team, team_id))


def _calendar_for_team(team, team_id) -> business_hours.Calendar:
    calendar = (
        TeamCalendar.objects.filter(team_id=team_id).prefetch_related("periods", "holidays").first()
        if team_id else None
    )
    if calendar is not None:
        return calendar.as_calendar()
    tz = team.time_zone if isinstance(team, Team) else (
        Team.objects.filter(pk=team_id).values_list("time_zone", flat=True).first() or "UTC"
    )
    return business_hours.Calendar.office_hours(tz)


def calendar_for_queue(queue: Queue) -> business_hours.Calendar:
    return calendar_for_team(queue.team_id)
