"""Selectors of the satisfaction reports (D3-D5): every figure is a SQL aggregate, never rows in Python.

Each function takes the user (whose role decides the scope) and a `ReportFilter`, and returns plain
dicts ready for a template, a CSV file or the API, so that page, export and API show the same numbers.
The number of queries depends on the figures asked for, never on the number of agents, weeks or groups.

Portability: everything here runs on SQLite and PostgreSQL. Weeks are numbered by `EpochWeek`
(Monday-based weeks since 1970) so that ratings (timestamps) and pulses (a Monday date) meet on one
integer key, and "next week" is simply +1. Pearson comes from one aggregate of sums; Spearman from
the same aggregate over average ranks computed with window functions (RANK and a COUNT per tie).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear, NullIf, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer, Membership, Team
from accounts.roles import Role, role_of
from accounts.selectors import team_ids_of
from feedback import metrics_math as mm
from feedback.models import (
    AgentPulse,
    NpsResponse,
    Rating,
    RatingRollup,
    RatingRollupAgent,
    RatingRollupCompany,
    Survey,
)
from feedback.pulse_privacy import PRIVACY_MIN_PULSES, published_cells
from feedback.reports import sources
from tickets.models import Queue, Ticket

# Privacy rule (D5): every pulse figure is a sum of published agent-weeks (feedback.pulse_privacy,
# docs/privacy.md); PRIVACY_MIN_PULSES is re-exported from there for templates and the API.
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


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


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
    return settings.REPORT_MIN_RESPONSES


# --- Scopes: what the user may aggregate -------------------------------------------------------------


def _team_scope(user) -> QuerySet | None:
    """None = everything (admins); otherwise the ids of the user's teams (as a subquery)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role in (Role.AGENT, Role.SUPERVISOR):
        return team_ids_of(user)
    return Team.objects.none().values("id")


def ratings_for(user, f: ReportFilter) -> QuerySet[Rating]:
    qs = Rating.objects.filter(created_at__gte=f.start, created_at__lt=f.end)
    teams = _team_scope(user)
    if teams is not None:
        qs = qs.filter(team_id__in=teams)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    if f.queue_id:
        qs = qs.filter(queue_id=f.queue_id)
    if f.kind:
        qs = qs.filter(ticket_kind=f.kind)
    if f.company:
        qs = qs.filter(company=f.company)
    return qs


def surveys_for(user, f: ReportFilter) -> QuerySet[Survey]:
    """Surveys sent in the range: the denominator of the response rate."""
    qs = Survey.objects.filter(sent_at__gte=f.start, sent_at__lt=f.end)
    teams = _team_scope(user)
    if teams is not None:
        qs = qs.filter(queue__team_id__in=teams)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id:
        qs = qs.filter(queue__team_id=f.team_id)
    if f.queue_id:
        qs = qs.filter(queue_id=f.queue_id)
    if f.kind:
        qs = qs.filter(ticket__kind=f.kind)
    if f.company:
        qs = qs.filter(customer__company=f.company)
    return qs


def _members_of(teams) -> QuerySet:
    return Membership.objects.filter(team_id__in=teams).values("user_id")


def pulses_for(user, f: ReportFilter) -> QuerySet[AgentPulse]:
    """Answered pulses of the weeks that overlap the range, in the user's scope. Queue, kind and company
    do not apply. Never aggregated as such: figures go through `_pulse_cells` (the privacy rule)."""
    qs = AgentPulse.objects.filter(score__isnull=False, week__gte=monday_of(f.date_from), week__lte=f.date_to)
    teams = _team_scope(user)
    if teams is not None:
        qs = qs.filter(agent_id__in=_members_of(teams))
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id:
        qs = qs.filter(agent_id__in=Membership.objects.filter(team_id=f.team_id).values("user_id"))
    return qs


def nps_for(user, f: ReportFilter) -> QuerySet[NpsResponse]:
    qs = NpsResponse.objects.filter(answered_at__gte=f.start, answered_at__lt=f.end)
    if role_of(user) not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return qs.none()
    if f.company:
        qs = qs.filter(company=f.company)
    return qs


# --- The rollups (feedback.rollup): what every rating and survey figure reads ------------------------------

# Narrowest first: a report reads the first table whose key holds every dimension it filters or groups by.
ROLLUP_TABLES = (RatingRollupAgent, RatingRollupCompany, RatingRollup)
_ROLLUP_FILTERS = {"agent_id": "agent", "team_id": "team", "queue_id": "queue", "kind": "kind", "company": "company"}


def rollup_active() -> bool:
    """The rollups count days of the desk's time zone; a user browsing in another zone (their profile's)
    gets the figures from the rows themselves, so that their days stay theirs. REPORT_ROLLUPS = False
    (a setting, default True) reads the rows always, e.g. while a rebuild is pending."""
    if not getattr(settings, "REPORT_ROLLUPS", True):
        return False
    return timezone.get_current_timezone_name() == str(timezone.get_default_timezone())


def rollup_for(user, f: ReportFilter, *dimensions: str) -> QuerySet:
    """The rollup rows of the range and the user's scope, from the narrowest table that can answer."""
    needed = {d for d in dimensions if d in _ROLLUP_FILTERS.values()}
    needed |= {dim for attr, dim in _ROLLUP_FILTERS.items() if getattr(f, attr)}
    model = next(m for m in ROLLUP_TABLES if needed <= set(m.KEY))
    qs = model.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    teams = _team_scope(user)
    if teams is not None:
        qs = qs.filter(team__in=teams)
    for attr, dim in _ROLLUP_FILTERS.items():
        if getattr(f, attr):
            qs = qs.filter(**{dim: getattr(f, attr)})
    return qs


def _rollup_key(group: str):
    return {
        "agent": NullIf(F("agent"), Value(0)),
        "team": NullIf(F("team"), Value(0)),
        "queue": NullIf(F("queue"), Value(0)),
        "kind": F("kind"),
        "company": F("company"),
        "week": EpochWeek("day"),
        "month": TruncMonth("day"),
        "all": None,
    }[group]


def _rollup_aggregates() -> dict:
    """The same figures as `_rating_aggregates` and the survey counts, as sums of the rollup's counters
    (prefixed: an aggregate may not carry the name of a column)."""
    aggregates = {
        "c_n": Sum("n"),
        "c_satisfied": Sum(F("s4") + F("s5")),
        "c_stars_sum": Sum(F("s1") + 2 * F("s2") + 3 * F("s3") + 4 * F("s4") + 5 * F("s5")),
        "c_sent": Sum("sent"),
        "c_answered": Sum("answered"),
    }
    for star in range(1, 6):
        aggregates[f"c_s{star}"] = Sum(f"s{star}")
    return aggregates


def _unprefixed(row: dict) -> dict:
    return {(name[2:] if name.startswith("c_") else name): (value or 0 if name.startswith("c_") else value)
            for name, value in row.items()}


def _rollup_grouped(qs: QuerySet, group: str, **aggregates) -> list[dict]:
    """`_grouped` over rollup rows: one GROUP BY; groups whose counters are all zero are left out."""
    rows = [_unprefixed(row) for row in _grouped(qs, _rollup_key(group), **aggregates)]
    return [row for row in rows if any(v for k, v in row.items() if k != "key")]


# --- Group keys and their labels ---------------------------------------------------------------------


def _rating_key(group: str):
    return {
        "agent": F("agent_id"),
        "team": F("team_id"),
        "queue": F("queue_id"),
        "kind": F("ticket_kind"),
        "company": F("company"),
        "week": EpochWeek(TruncDate("created_at")),
        "month": TruncMonth("created_at"),
        "all": None,
    }[group]


def _survey_key(group: str):
    return {
        "agent": F("agent_id"),
        "team": F("queue__team_id"),
        "queue": F("queue_id"),
        "kind": F("ticket__kind"),
        "company": F("customer__company"),
        "week": EpochWeek(TruncDate("sent_at")),
        "month": TruncMonth("sent_at"),
        "all": None,
    }[group]


def _nps_key(group: str):
    return {
        "company": F("company"),
        "week": EpochWeek(TruncDate("answered_at")),
        "month": TruncMonth("answered_at"),
        "all": None,
    }[group]


def _normalise_key(group: str, key):
    """Months come back as datetimes (aware or not) or dates depending on the backend: make them dates."""
    if group == "month" and isinstance(key, dt.datetime):
        if timezone.is_aware(key):
            key = timezone.localtime(key)
        return key.date()
    return key


def _grouped(qs: QuerySet, key, **aggregates) -> list[dict]:
    """One GROUP BY query: [{"key": ..., **aggregates}], or a single row with key None when key is None."""
    if key is None:
        row = qs.aggregate(**aggregates)
        return [{"key": None, **row}] if any(v for v in row.values()) else []
    return list(qs.order_by().values(key=key).annotate(**aggregates).order_by("key"))


def group_labels(group: str, keys) -> dict:
    """Readable names for group keys, fetched in one query per report (not one per group)."""
    keys = [k for k in keys if k is not None and k != ""]
    if group == "agent":
        users = get_user_model().objects.filter(id__in=keys).only("id", "first_name", "last_name", "username")
        return {u.id: u.get_full_name() or u.get_username() for u in users}
    if group == "team":
        return dict(Team.objects.filter(id__in=keys).values_list("id", "name"))
    if group == "queue":
        return dict(Queue.objects.filter(id__in=keys).values_list("id", "name"))
    if group == "kind":
        return {k: str(Ticket.Kind(k).label) if k in Ticket.Kind.values else k for k in keys}
    if group == "week":
        return {k: _("Week of %(monday)s") % {"monday": week_monday(k).isoformat()} for k in keys}
    if group == "month":
        return {k: k.strftime("%Y-%m") for k in keys}
    return {k: str(k) for k in keys}


def _label(group: str, key, labels: dict) -> str:
    if key is None or key == "":
        return _("All") if group == "all" else _("(none)")
    return labels.get(key, str(key))


def key_param(group: str, key) -> dict:
    """The drill-down filter a group stands for, as query parameters."""
    if key is None or key == "" or group == "all":
        return {}
    if group in ("agent", "team", "queue", "kind", "company"):
        return {group: key}
    if group == "week":
        monday = week_monday(key)
        return {"date_from": monday.isoformat(), "date_to": (monday + dt.timedelta(days=6)).isoformat()}
    if group == "month":
        nxt = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return {"date_from": key.isoformat(), "date_to": (nxt - dt.timedelta(days=1)).isoformat()}
    return {}


def _key_json(group: str, key):
    if group == "month" and key is not None:
        return key.isoformat()
    if group == "week" and key is not None:
        return week_monday(key).isoformat()
    return key


# --- CSAT, delight, distribution, response rate (D3) --------------------------------------------------


def _rating_aggregates() -> dict:
    aggregates = {
        "n": Count("id"),
        "satisfied": Count("id", filter=Q(stars__gte=4)),
        "stars_sum": Sum("stars"),
    }
    for star in range(1, 6):
        aggregates[f"s{star}"] = Count("id", filter=Q(stars=star))
    return aggregates


def csat_by_group(user, f: ReportFilter, group: str = "all") -> list[dict]:
    """CSAT, delight, average stars, distribution and response rate per group: one GROUP BY over the
    rollup (two, ratings and surveys, over the rows when the rollup cannot be used) and one for labels,
    whatever the number of groups."""
    by_key: dict = {}
    if rollup_active():
        for row in _rollup_grouped(rollup_for(user, f, group), group, **_rollup_aggregates()):
            by_key[_normalise_key(group, row["key"])] = row
    else:
        ratings = _grouped(ratings_for(user, f), _rating_key(group), **_rating_aggregates())
        surveys = _grouped(
            surveys_for(user, f),
            _survey_key(group),
            sent=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
        )
        for row in ratings:
            by_key.setdefault(_normalise_key(group, row["key"]), {}).update(row)
        for row in surveys:
            by_key.setdefault(_normalise_key(group, row["key"]), {}).update(
                sent=row["sent"], answered=row["answered"]
            )
    labels = group_labels(group, by_key) if group not in ("all",) else {}
    minimum = min_responses()
    rows = []
    for key in sorted(by_key, key=lambda k: (k is None, "" if k is None else k)):
        rows.append(_csat_row(group, key, by_key[key], labels, minimum))
    return rows


def _csat_row(group: str, key, data: dict, labels: dict, minimum: int) -> dict:
    n = data.get("n") or 0
    sent = data.get("sent") or 0
    answered = data.get("answered") or 0
    distribution = [data.get(f"s{star}") or 0 for star in range(1, 6)]
    return {
        "group": group,
        "key": _key_json(group, key),
        "label": _label(group, key, labels),
        "filter": key_param(group, key),
        "n": n,
        "satisfied": data.get("satisfied") or 0,
        "delighted": distribution[4],
        "csat": mm.csat(data.get("satisfied"), n),
        "delight_rate": mm.percentage(distribution[4], n),
        "average_stars": (data.get("stars_sum") or 0) / n if n else None,
        "distribution": distribution,
        "sent": sent,
        "answered": answered,
        "response_rate": mm.percentage(answered, sent),
        "low_n": n < minimum,
    }


def csat_overall(user, f: ReportFilter) -> dict:
    """The overall CSAT alone: one aggregate over the ratings (no surveys, no grouping)."""
    if rollup_active():
        row = _unprefixed(rollup_for(user, f).aggregate(c_n=Sum("n"), c_satisfied=Sum(F("s4") + F("s5"))))
    else:
        row = ratings_for(user, f).aggregate(n=Count("id"), satisfied=Count("id", filter=Q(stars__gte=4)))
    return {"n": row["n"], "satisfied": row["satisfied"], "csat": mm.csat(row["satisfied"], row["n"])}


def totals(rows: list[dict]) -> dict:
    """The overall figure from grouped rows: every rating is in exactly one group, so counts add up."""
    data: dict = {"n": 0, "satisfied": 0, "stars_sum": 0, "sent": 0, "answered": 0}
    for star in range(1, 6):
        data[f"s{star}"] = 0
    for row in rows:
        data["n"] += row["n"]
        data["satisfied"] += row["satisfied"]
        data["sent"] += row["sent"]
        data["answered"] += row["answered"]
        for star in range(1, 6):
            data[f"s{star}"] += row["distribution"][star - 1]
        if row["average_stars"] is not None:
            data["stars_sum"] += row["average_stars"] * row["n"]
    return _csat_row("all", None, data, {}, min_responses())


# --- ASAT (D5) -----------------------------------------------------------------------------------------


def _pulse_cells(qs: QuerySet[AgentPulse], key=None) -> tuple[str | None, list]:
    """The SQL of the published agent-weeks of `qs` (`feedback.pulse_privacy.published_cells`: closed
    weeks, answers given in time, 5 or more of them): (c_agent, c_week, [c_key], c_n, c_sat, c_sum).
    Every ASAT figure aggregates these rows, so any figure, and any difference of two, is a sum of
    whole published agent-weeks."""
    try:
        sql, params = _sql(published_cells(qs, key))
    except EmptyResultSet:  # e.g. no agent to ask about: nothing to count, no query
        return None, []
    return sql, list(params)


def _month_number(field: str):
    """year x 100 + month: a portable integer key for months of a date column (read back by `_month_of`)."""
    return ExtractYear(field) * 100 + ExtractMonth(field)


def _month_of(number) -> dt.date:
    return dt.date(int(number) // 100, int(number) % 100, 1)


def _asat_rows(qs: QuerySet[AgentPulse], group: str) -> list[dict]:
    """[{key, n, satisfied, score_sum}] per group, from published agent-weeks only (`_pulse_cells`). One query."""
    key = {
        "agent": F("agent_id"),
        "team": F("agent__memberships__team_id"),
        "week": EpochWeek("week"),
        "month": _month_number("week"),
        "all": None,
    }[group]
    cells, params = _pulse_cells(qs, key)
    if cells is None:
        return []
    select = "c_key" if key is not None else "NULL"
    sql = f"SELECT {select}, SUM(c_n), SUM(c_sat), SUM(c_sum) FROM ({cells}) cells"  # noqa: S608
    if key is not None:
        sql += " GROUP BY c_key ORDER BY c_key"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for row_key, n, satisfied, score_sum in fetched:
        if not n:
            continue
        if group == "month":
            row_key = _month_of(row_key)
        elif row_key is not None:
            row_key = int(row_key)
        rows.append({"key": row_key, "n": int(n), "satisfied": int(satisfied or 0), "score_sum": int(score_sum or 0)})
    return rows


def asat_by_group(user, f: ReportFilter, group: str = "all") -> list[dict]:
    """ASAT = pulses of 4-5 / pulses x 100, and the average pulse, per group, from published
    agent-weeks only (`feedback.pulse_privacy`): `n` counts their pulses (`n_used`, the same number,
    stays for API clients). A group with no published agent-week is not listed at all: even its
    count would tell that someone answered."""
    if group not in (*ASAT_GROUPINGS, "all"):
        return []
    rows = _asat_rows(pulses_for(user, f), group)
    keys = [r["key"] for r in rows]
    labels = group_labels(group, keys) if group != "all" else {}
    minimum = max(min_responses(), PRIVACY_MIN_PULSES)
    result = []
    for key, row in zip(keys, rows, strict=True):
        n = row["n"]
        result.append(
            {
                "group": group,
                "key": _key_json(group, key),
                "label": _label(group, key, labels),
                "n": n,
                "n_used": n,
                "asat": mm.percentage(row["satisfied"], n),
                "average_pulse": row["score_sum"] / n,
                "hidden": False,
                "low_n": n < minimum,
            }
        )
    return result


# --- NPS (D3, relationship surveys) ------------------------------------------------------------------


def nps_by_group(user, f: ReportFilter, group: str = "all") -> list[dict]:
    if group not in (*NPS_GROUPINGS, "all"):
        return []
    rows = _grouped(
        nps_for(user, f),
        _nps_key(group),
        n=Count("id"),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    keys = [_normalise_key(group, r["key"]) for r in rows]
    labels = group_labels(group, keys) if group != "all" else {}
    result = []
    for key, row in zip(keys, rows, strict=True):
        n = row["n"] or 0
        result.append(
            {
                "group": group,
                "key": _key_json(group, key),
                "label": _label(group, key, labels),
                "n": n,
                "promoters": row["promoters"],
                "passives": n - row["promoters"] - row["detractors"],
                "detractors": row["detractors"],
                "nps": mm.nps(row["promoters"], row["detractors"], n),
                "low_n": n < min_responses(),
            }
        )
    return result


# --- CSAT-ASAT correlation over agent-weeks (D5) ------------------------------------------------------


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _correlation_ctes(user, f: ReportFilter) -> tuple[str, list]:
    """The CTEs of the correlation: ratings and pulses are each scanned ONCE (grouped by agent, team
    and week), then rolled up to agent-weeks and team-weeks inside the same statement."""
    if rollup_active():
        ratings = (
            rollup_for(user, f, "agent")
            .filter(n__gt=0)
            .order_by()
            .values(agent_id=NullIf(F("agent"), Value(0)), team_id=NullIf(F("team"), Value(0)), wk=EpochWeek("day"))
            .annotate(c_n=Sum("n"), c_sat=Sum(F("s4") + F("s5")))
        )
        ratings_sql = "SELECT agent_id, team_id, wk, c_n AS n, c_sat AS sat FROM ({}) rr"
    else:
        ratings = (
            ratings_for(user, f)
            .order_by()
            .values("agent_id", "team_id", wk=EpochWeek(TruncDate("created_at")))
            .annotate(n=Count("id"), sat=Count("id", filter=Q(stars__gte=4)))
        )
        ratings_sql = "{}"
    # For "next week's CSAT" the pulses of the week before the range count too.
    pulses = published_cells(  # published agent-weeks only (feedback.pulse_privacy)
        pulses_for(user, f.with_(date_from=f.date_from - dt.timedelta(days=7))), EpochWeek("week")
    )
    pulses_sql = "SELECT c_agent AS agent_id, c_key AS wk, c_n AS n, c_sat AS sat FROM ({}) pc"
    members = Membership.objects.all()
    teams = _team_scope(user)
    if teams is not None:
        members = members.filter(team_id__in=teams)
    if f.team_id:
        members = members.filter(team_id=f.team_id)
    members = members.order_by().values("user_id", "team_id")
    params: list = []
    parts = []
    for name, qs, wrapper in (("ra", ratings, ratings_sql), ("pa", pulses, pulses_sql), ("mt", members, "{}")):
        sql, qs_params = _sql(qs)
        parts.append(f"{name} AS ({wrapper.format(sql)})")
        params += qs_params
    parts += [
        "r_agent AS (SELECT agent_id AS u, wk, SUM(n) AS n, SUM(sat) AS sat FROM ra "
        "WHERE agent_id IS NOT NULL GROUP BY agent_id, wk)",
        "p_agent AS (SELECT agent_id AS u, wk, n, sat FROM pa)",
        "r_team AS (SELECT team_id AS u, wk, SUM(n) AS n, SUM(sat) AS sat FROM ra "
        "WHERE team_id IS NOT NULL GROUP BY team_id, wk)",
        "p_team AS (SELECT mt.team_id AS u, pa.wk AS wk, SUM(pa.n) AS n, SUM(pa.sat) AS sat "
        "FROM pa INNER JOIN mt ON mt.user_id = pa.agent_id GROUP BY mt.team_id, pa.wk)",
    ]
    return "WITH " + ", ".join(parts), params


_PAIRS = (
    "pr_{unit}{lag} AS (SELECT r.u AS u, r.wk AS wk, "
    "CAST(r.sat AS DOUBLE PRECISION) * 100 / CAST(r.n AS DOUBLE PRECISION) AS x, "
    "CAST(p.sat AS DOUBLE PRECISION) * 100 / CAST(p.n AS DOUBLE PRECISION) AS y, r.n AS nr, p.n AS np "
    "FROM r_{unit} r INNER JOIN p_{unit} p ON r.u = p.u AND r.wk = p.wk + {lag} WHERE p.n >= %s AND r.n >= %s)"
)
_SUMS = (
    "SELECT 's{unit}{lag}', COUNT(*), SUM(x), SUM(y), SUM(x * x), SUM(y * y), SUM(x * y), "
    "SUM(rx), SUM(ry), SUM(rx * rx), SUM(ry * ry), SUM(rx * ry) FROM ("
    "SELECT x, y, "
    "RANK() OVER (ORDER BY x) + (COUNT(*) OVER (PARTITION BY x) - 1) / 2.0 AS rx, "
    "RANK() OVER (ORDER BY y) + (COUNT(*) OVER (PARTITION BY y) - 1) / 2.0 AS ry "
    "FROM pr_{unit}{lag}) t_{unit}{lag}"
)
_POINTS = "SELECT 'p', u, wk, x, y, nr, np, NULL, NULL, NULL, NULL, NULL FROM pr_{unit}0"


def _pair_thresholds() -> tuple[int, int]:
    """An agent-week counts when its ASAT has PRIVACY_MIN_PULSES answers and its CSAT at least one."""
    return PRIVACY_MIN_PULSES, 1


def _correlation_rows(user, f: ReportFilter, units: tuple[str, ...], points_unit: str | None) -> list[tuple]:
    """ONE query. For each unit (agent, team) the same-week pairs (lag 0) and the lagged pairs (lag 1:
    ASAT, then next week's CSAT) are aggregated into Pearson sums and into Spearman sums over average
    ranks (window functions); if asked, the same-week points of one unit follow as rows tagged 'p'."""
    ctes, params = _correlation_ctes(user, f)
    min_pulses, min_ratings = _pair_thresholds()
    pairs, selects = [], []
    for unit in units:
        for lag in (0, 1):
            pairs.append(_PAIRS.format(unit=unit, lag=lag))
            params += [min_pulses, min_ratings]
            selects.append(_SUMS.format(unit=unit, lag=lag))
    if points_unit:
        selects.append(_POINTS.format(unit=points_unit))
    # Constants and ORM-compiled subqueries only; every value is a parameter.
    sql = f"{ctes}, {', '.join(pairs)} " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sums_of(rows, unit: str) -> dict[int, tuple[mm.Sums, mm.Sums]]:
    empty = mm.Sums.from_row((0,) * 6)
    result = {0: (empty, empty), 1: (empty, empty)}
    for row in rows:
        tag = row[0]
        if tag.startswith(f"s{unit}"):
            result[int(tag[-1])] = (mm.Sums.from_row(row[1:7]), mm.Sums.from_row((row[1], *row[7:12])))
    return result


def _points_of(rows, unit: str) -> list[dict]:
    points = [
        {
            unit: int(u),
            "week": week_monday(int(wk)).isoformat(),
            "csat": round(float(x), 2),
            "asat": round(float(y), 2),
            "n_ratings": int(nr),
            "n_pulses": int(np),
        }
        for tag, u, wk, x, y, nr, np, *_rest in rows
        if tag == "p"
    ]
    points.sort(key=lambda p: (p["week"], p[unit]))
    return points


def correlation_sums(user, f: ReportFilter, unit: str = "agent") -> dict[int, tuple[mm.Sums, mm.Sums]]:
    """{lag: (Pearson sums, Spearman sums)} for lag 0 (same week) and 1 (ASAT, then next week's CSAT)."""
    return _sums_of(_correlation_rows(user, f, (unit,), None), unit)


def correlation_points(user, f: ReportFilter, unit: str = "agent") -> list[dict]:
    """The scatter: one point per unit-week, CSAT (x) and ASAT (y) with their n."""
    return _points_of(_correlation_rows(user, f, (unit,), unit), unit)


def _correlation_view(rows, unit: str, with_points: bool) -> dict:
    sums = _sums_of(rows, unit)
    what = _("customer satisfaction and agent satisfaction")
    result = {"unit": unit, "min_n": mm.MIN_CORRELATION_N}
    for lag, name in ((0, "same_week"), (1, "next_week")):
        pearson_sums, spearman_sums = sums[lag]
        pearson = mm.correlation_from_sums(pearson_sums)
        spearman = mm.correlation_from_sums(spearman_sums)
        result[name] = {
            "pearson": pearson.as_dict(),
            "spearman": spearman.as_dict(),
            "reading": mm.plain_reading(pearson, what),
            "trend": _trend_line(pearson_sums) if pearson.enough else None,
        }
    if with_points:
        result["points"] = _points_of(rows, unit)
    return result


def correlation_report(user, f: ReportFilter, unit: str = "agent", with_points: bool = True) -> dict:
    """Pearson and Spearman with n, 95% interval, p-value and a plain reading; the lagged view; the
    points and a least-squares trend line. One query."""
    rows = _correlation_rows(user, f, (unit,), unit if with_points else None)
    return _correlation_view(rows, unit, with_points)


def correlation_reports(user, f: ReportFilter) -> tuple[dict, dict]:
    """The agent-week report (with its points) and the team-week report, from ONE query."""
    rows = _correlation_rows(user, f, ("agent", "team"), "agent")
    return _correlation_view(rows, "agent", True), _correlation_view(rows, "team", False)


def _trend_line(s: mm.Sums) -> dict | None:
    """Least squares y = a + b·x from the same sums (ASAT against CSAT), for the scatter's line."""
    denominator = s.n * s.sxx - s.sx * s.sx
    if s.n < 2 or abs(denominator) < 1e-12:
        return None
    slope = (s.n * s.sxy - s.sx * s.sy) / denominator
    intercept = (s.sy - slope * s.sx) / s.n
    return {"slope": round(slope, 6), "intercept": round(intercept, 6)}


# --- Burnout watch (D5) --------------------------------------------------------------------------------

BURNOUT_LOW_SHARE = 0.2  # at least a fifth of the agent's ratings are 1-2 stars
BURNOUT_ESCALATED_SHARE = 0.1  # or at least a tenth of the agent's surveyed tickets were escalated
BURNOUT_ASAT_DROP = 10.0  # and ASAT fell by at least 10 points, last 4 weeks against the 4 before


def _burnout_ratings(user, f: ReportFilter, agent_rows: list[dict] | None) -> dict:
    """{agent: {"n", "low", "sent"}}: ratings, 1-2 star ratings and surveys sent (the tickets the
    escalated share is counted against) per agent; no query when `agent_rows` are given."""
    if agent_rows is not None:
        return {
            row["key"]: {"n": row["n"], "low": row["distribution"][0] + row["distribution"][1], "sent": row["sent"]}
            for row in agent_rows
            if row["key"] is not None
        }
    if rollup_active():
        return {
            row["key"]: row
            for row in _rollup_grouped(
                rollup_for(user, f, "agent").exclude(agent=0),
                "agent",
                c_n=Sum("n"),
                c_low=Sum(F("s1") + F("s2")),
                c_sent=Sum("sent"),
            )
        }
    ratings = {
        row["key"]: {**row, "sent": 0}
        for row in _grouped(
            ratings_for(user, f).filter(agent_id__isnull=False),
            F("agent_id"),
            n=Count("id"),
            low=Count("id", filter=Q(stars__lte=2)),
        )
    }
    if sources.escalation_counts_available():
        for row in _grouped(surveys_for(user, f).filter(agent_id__isnull=False), F("agent_id"), sent=Count("id")):
            ratings.setdefault(row["key"], {"key": row["key"], "n": 0, "low": 0})["sent"] = row["sent"]
    return ratings


def burnout_watch(user, f: ReportFilter, agent_rows: list[dict] | None = None) -> list[dict]:
    """Agents with a high share of 1-2 star ratings or of escalated tickets whose ASAT is falling.

    Queries: ratings per agent (none when `agent_rows`, the CSAT-by-agent rows already computed, are
    passed), pulses per agent (recent and earlier windows as conditional aggregates), escalated tickets
    of the agents whose ASAT fell (one, through the registered source of `feedback.reports.sources`), names.
    Without a registered source `escalated` and `escalated_share` are None: not available, not 0.
    """
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN):
        return []
    ratings = _burnout_ratings(user, f, agent_rows)
    last_monday = monday_of(f.date_to)
    recent_from = last_monday - dt.timedelta(weeks=3)
    earlier_from = recent_from - dt.timedelta(weeks=4)
    window = f.with_(date_from=earlier_from)
    cells, params = _pulse_cells(pulses_for(user, window).filter(agent_id__in=list(ratings)))
    recent = "CASE WHEN c_week >= %s THEN {} ELSE 0 END"
    earlier = "CASE WHEN c_week < %s THEN {} ELSE 0 END"
    sql = (
        f"SELECT c_agent, SUM({recent.format('c_n')}), SUM({recent.format('c_sat')}), "  # noqa: S608
        f"SUM({earlier.format('c_n')}), SUM({earlier.format('c_sat')}) FROM ({cells}) cells GROUP BY c_agent"
    )
    pulses = []
    with connection.cursor() as cursor:
        if cells is not None:
            cursor.execute(sql, [recent_from] * 4 + params)
        pulses = [
            {"key": agent, "recent_n": int(rn or 0), "recent_sat": int(rs or 0), "earlier_n": int(en or 0),
             "earlier_sat": int(es or 0)}
            for agent, rn, rs, en, es in (cursor.fetchall() if cells is not None else [])
        ]
    minimum = min_responses()
    falling = []
    for row in pulses:
        rated = ratings.get(row["key"])
        if not rated or (rated["n"] < minimum and rated.get("sent", 0) < minimum):
            continue
        if row["recent_n"] < PRIVACY_MIN_PULSES or row["earlier_n"] < PRIVACY_MIN_PULSES:
            continue
        asat_recent = 100.0 * row["recent_sat"] / row["recent_n"]
        asat_earlier = 100.0 * row["earlier_sat"] / row["earlier_n"]
        if asat_earlier - asat_recent >= BURNOUT_ASAT_DROP:
            falling.append((row["key"], rated, asat_earlier, asat_recent))
    escalated = sources.escalated_tickets_per_agent(
        start=f.date_from, end=f.date_to, agent_ids=[agent for agent, *_rest in falling]
    )
    flagged = []
    for agent, rated, asat_earlier, asat_recent in falling:
        low_share = rated["low"] / rated["n"] if rated["n"] >= minimum else None
        sent = rated.get("sent", 0)
        escalated_n = None if escalated is None else escalated.get(agent, 0)
        escalated_share = escalated_n / sent if escalated_n is not None and sent >= minimum else None
        high_low = low_share is not None and low_share >= BURNOUT_LOW_SHARE
        high_escalated = escalated_share is not None and escalated_share >= BURNOUT_ESCALATED_SHARE
        if high_low or high_escalated:
            flagged.append(
                {
                    "agent": agent,
                    "n": rated["n"],
                    "low": rated["low"],
                    "low_share": 100.0 * (low_share or 0.0),
                    "sent": sent,
                    "escalated": escalated_n,
                    "escalated_share": None if escalated_share is None else 100.0 * escalated_share,
                    "asat_earlier": asat_earlier,
                    "asat_recent": asat_recent,
                    "asat_change": asat_recent - asat_earlier,
                }
            )
    labels = group_labels("agent", [row["agent"] for row in flagged])
    for row in flagged:
        row["label"] = labels.get(row["agent"], str(row["agent"]))
    flagged.sort(key=lambda row: (-max(row["low_share"], row["escalated_share"] or 0.0), row["asat_change"]))
    return flagged


# --- Revenue at risk (D4) -------------------------------------------------------------------------------


def churn_probability() -> Decimal:
    return Decimal(str(settings.CHURN_PROBABILITY))


def customers_for(user, f: ReportFilter) -> QuerySet[Customer]:
    """The customer base a figure is about: all customers for admins, those with tickets in the
    user's teams' queues otherwise; narrowed by company."""
    qs = Customer.objects.all()
    teams = _team_scope(user)
    if teams is not None:
        qs = qs.filter(id__in=Ticket.objects.filter(queue__team_id__in=teams).values("customer_id"))
    if f.company:
        qs = qs.filter(company=f.company)
    return qs


def revenue_at_risk_report(user, f: ReportFilter, csat_percent: float | None, churn: Decimal | None = None) -> dict:
    """Revenue at risk from the customers' real monthly spend (where known) and the period's CSAT.
    One query (the spend); CSAT is passed in from the CSAT figure already computed."""
    churn = churn if churn is not None else churn_probability()
    spend = customers_for(user, f).aggregate(
        customers=Count("id", filter=Q(monthly_spend__isnull=False)),
        unknown=Count("id", filter=Q(monthly_spend__isnull=True)),
        revenue=Sum("monthly_spend"),
    )
    revenue = spend["revenue"] or Decimal("0")
    result = {
        "customers": spend["customers"],
        "customers_without_spend": spend["unknown"],
        "monthly_revenue": revenue,
        "csat": csat_percent,
        "churn_probability": churn,
        "revenue_at_risk": None,
        "per_point": None,
    }
    if spend["customers"] and csat_percent is not None:
        result["revenue_at_risk"] = mm.revenue_at_risk(
            monthly_revenue=revenue, csat_percent=Decimal(str(round(csat_percent, 4))), churn_probability=churn
        )
    if spend["customers"]:
        result["per_point"] = mm.revenue_per_csat_point(monthly_revenue=revenue, churn_probability=churn)
    return result


def revenue_at_risk_by_company(user, f: ReportFilter, churn: Decimal | None = None, limit: int = 20) -> list[dict]:
    """Revenue at risk per customer company: each company's spend x (1 - its CSAT) x churn. Two queries."""
    churn = churn if churn is not None else churn_probability()
    if rollup_active():
        csat_rows = {
            row["key"]: row
            for row in _rollup_grouped(
                rollup_for(user, f, "company").exclude(company=""),
                "company",
                c_n=Sum("n"),
                c_satisfied=Sum(F("s4") + F("s5")),
            )
            if row["n"]
        }
    else:
        csat_rows = {
            row["key"]: row
            for row in _grouped(
                ratings_for(user, f).exclude(company=""),
                F("company"),
                n=Count("id"),
                satisfied=Count("id", filter=Q(stars__gte=4)),
            )
        }
    spend_rows = (
        customers_for(user, f)
        .filter(company__in=list(csat_rows), monthly_spend__isnull=False)
        .order_by()
        .values("company")
        .annotate(customers=Count("id"), revenue=Sum("monthly_spend"))
    )
    minimum = min_responses()
    result = []
    for row in spend_rows:
        rated = csat_rows[row["company"]]
        csat_value = mm.csat(rated["satisfied"], rated["n"])
        result.append(
            {
                "company": row["company"],
                "customers": row["customers"],
                "monthly_revenue": row["revenue"],
                "n": rated["n"],
                "csat": csat_value,
                "revenue_at_risk": mm.revenue_at_risk(
                    monthly_revenue=row["revenue"],
                    csat_percent=Decimal(str(round(csat_value, 4))),
                    churn_probability=churn,
                ),
                "per_point": mm.revenue_per_csat_point(monthly_revenue=row["revenue"], churn_probability=churn),
                "low_n": rated["n"] < minimum,
            }
        )
    result.sort(key=lambda row: -row["revenue_at_risk"])
    return result[:limit]


# --- Drill-down ----------------------------------------------------------------------------------------


def ratings_list(user, f: ReportFilter, *, stars_min: int | None = None, stars_max: int | None = None):
    """The ratings behind a figure, newest first, with what the list shows joined in (one query a page)."""
    qs = ratings_for(user, f)
    if stars_min:
        qs = qs.filter(stars__gte=stars_min)
    if stars_max:
        qs = qs.filter(stars__lte=stars_max)
    return qs.select_related("ticket", "agent", "queue", "customer").order_by("-created_at", "-id")
