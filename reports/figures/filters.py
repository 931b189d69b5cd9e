"""What a report is about (`ReportFilter`: a date range and optional slices) and the week arithmetic
every figure shares.

Weeks are numbered by `EpochWeek` (Monday-based weeks since 1970) so that ratings (timestamps) and
pulses (a Monday date) meet on one integer key, and "next week" is simply +1; the same expression
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Func, IntegerField
from django.utils import timezone

from helpdesk.dates import monday_of

EPOCH = dt.date(1970, 1, 1)

GROUPINGS = ("agent", "team", "queue", "kind", "company", "week", "month")
# What each report can be grouped by; pulses know only their agent (and so the team) and week.
ASAT_GROUPINGS = ("agent", "team", "week", "month")
NPS_GROUPINGS = ("company", "week", "month")
# Agents see team-level figures only (no agent grouping, no agent filter, never a pulse of a colleague).
AGENT_ROLE_GROUPINGS = ("team", "queue", "kind", "company", "week", "month")


class EpochWeek(Func):
    """The number of the Monday-based week containing a date, counted from the week of 1970-01-01.

    1970-01-01 was a Thursday, so day d (days since the epoch) lies in week floor((d + 3) / 7).
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s) - 2440587.5 + 3) / 7 AS INTEGER)",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((CAST(%(expressions)s AS date) - DATE '1970-01-01' + 3) / 7)",
            **extra_context,
        )


def week_number(day: dt.date) -> int:
    return ((day - EPOCH).days + 3) // 7


@functools.lru_cache(maxsize=4096)
def week_monday(number: int) -> dt.date:
    """The Monday of a week number (cached: the scatter converts thousands of agent-weeks of ~52 weeks)."""
    return EPOCH + dt.timedelta(days=7 * number - 3)


@dataclass(frozen=True)
class ReportFilter:
    """What a report is about: a date range (inclusive, in the current time zone) and optional slices."""

    date_from: dt.date
    date_to: dt.date
    agent_id: int | None = None
    team_id: int | None = None
    queue_id: int | None = None
    kind: str = ""
    company: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def default(cls, today: dt.date | None = None) -> ReportFilter:
        today = today or timezone.localdate()
        return cls(date_from=monday_of(today) - dt.timedelta(weeks=12), date_to=today)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the start of the day after `date_to`."""
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    def with_(self, **changes) -> ReportFilter:
        return replace(self, **changes)

    def as_params(self) -> dict:
        """The query-string form, for drill-down links and exports."""
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("agent_id", "team_id", "queue_id"):
            if getattr(self, name):
                params[name.removesuffix("_id")] = getattr(self, name)
        if self.kind:
            params["kind"] = self.kind
        if self.company:
            params["company"] = self.company
        return params


def min_responses() -> int:
    """Below this n a figure is shown greyed (REPORT_MIN_RESPONSES)."""
    return settings.REPORT_MIN_RESPONSES
