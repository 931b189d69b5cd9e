"""The privacy rule of agents' pulses (D5), in one place: every figure built from pulses (report
pages, team pulse page, API, CSV, weekly email, correlation, burnout watch) is built from the
*published agent-weeks* this module selects, and from nothing else. docs/privacy.md states the rule.

A published agent-week is one agent's answered pulses of one week such that
1. the week is over: it closes at Monday 00:00 after it, in the desk's time zone (TIME_ZONE);
2. only answers given before it closed count (a late answer counts nowhere), and an answer that
   counted can no longer be changed (`answer_is_final`, enforced by the pulse services);
3. at least PRIVACY_MIN_PULSES answers count.

So a published agent-week never changes once published, and every figure is a sum of whole ones:
two figures (two groupings, two ranges, two moments) differ by nothing or by at least one whole
agent-week of 5 pulses or more. Nothing about a pulse outside them is published, not even a count.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from feedback.models import AgentPulse

PRIVACY_MIN_PULSES = 5


def _desk_zone():
    return timezone.get_default_timezone()


def open_week(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the week that is still open (desk time); every week before it is closed."""
    today = timezone.localtime(now or timezone.now(), _desk_zone()).date()
    return today - dt.timedelta(days=today.weekday())


def answer_is_final(pulse: AgentPulse, now: dt.datetime | None = None) -> bool:
    """The answer counts in a closed week (rule 2): changing it would change a published figure by
    one pulse, which is exactly what the rule forbids."""
    if pulse.score is None or pulse.answered_at is None or pulse.week >= open_week(now):
        return False
    answered = timezone.localtime(pulse.answered_at, _desk_zone()).date()
    return answered - dt.timedelta(days=answered.weekday()) <= pulse.week


def counted_pulses(pulses: QuerySet[AgentPulse], now: dt.datetime | None = None) -> QuerySet[AgentPulse]:
    """Rules 1 and 2: answers of closed weeks, given before their week closed."""
    answered_week = TruncWeek("answered_at", output_field=DateField(), tzinfo=_desk_zone())
    return pulses.filter(score__isnull=False, answered_at__isnull=False, week__lt=open_week(now)).filter(
        Q(week__gte=answered_week)
    )


def published_cells(pulses: QuerySet[AgentPulse], key=None, now: dt.datetime | None = None) -> QuerySet:
    """The published agent-weeks of `pulses` (already scoped to the reader and the range), as rows of
    (c_agent, c_week, [c_key], c_n, c_sat, c_sum): one GROUP BY ... HAVING, to aggregate further in SQL.
    `key` (an expression of the pulse) splits a cell by what else a report groups by (a team)."""
    values = {"c_agent": F("agent_id"), "c_week": F("week")}
    if key is not None:
        values["c_key"] = key
    return (
        counted_pulses(pulses, now)
        .order_by()
        .values(**values)
        .annotate(c_n=Count("id"), c_sat=Count("id", filter=Q(score__gte=4)), c_sum=Sum("score"))
        .filter(c_n__gte=PRIVACY_MIN_PULSES)
    )
