"""The one source of the counts of ratings and surveys per key: every rating and survey figure asks it.

`RatingCounts(user, f)` answers "how many ratings (per star, satisfied, low) and surveys (sent,
answered) per agent / team / queue / kind / company / week / month" in the user's scope and the
filter's range, from the rollup tables (`feedback.rollup`: counters per day and key, maintained with
each rating and send) when they can answer, else from the rating and survey rows. Which of the two is
decided here, once (`rollup_active`); the figures never ask.

Counters (all ints, 0 when there is nothing):
- of ratings: n, satisfied (4-5 stars), low (1-2 stars), stars_sum, s1..s5 (ratings per star);
- of surveys (counted on the day they were sent): sent, answered.

Queries: one GROUP BY over the rollup; from the rows, one over the ratings and one over the surveys
when counters of both are asked.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from feedback.models import RatingRollup, RatingRollupAgent, RatingRollupCompany
from reports.figures.filters import ReportFilter
from reports.figures.grouping import grouped, normalise_key, rating_key, rollup_key, sql_of, survey_key
from reports.figures.scopes import ratings_for, surveys_for, team_scope

RATING_COUNTERS = ("n", "satisfied", "low", "stars_sum", "s1", "s2", "s3", "s4", "s5")
SURVEY_COUNTERS = ("sent", "answered")
COUNTERS = RATING_COUNTERS + SURVEY_COUNTERS

# Narrowest first: a report reads the first table whose key holds every dimension it filters or groups by.
ROLLUP_TABLES = (RatingRollupAgent, RatingRollupCompany, RatingRollup)
_ROLLUP_FILTERS = {"agent_id": "agent", "team_id": "team", "queue_id": "queue", "kind": "kind", "company": "company"}
_DIMENSIONS = tuple(_ROLLUP_FILTERS.values())

# "The key is known" (no rating without an agent, no empty company), per source.
_KNOWN = {
    "rollup": {"agent": ~Q(agent=0), "team": ~Q(team=0), "queue": ~Q(queue=0), "kind": ~Q(kind=""),
               "company": ~Q(company="")},
    "ratings": {"agent": Q(agent_id__isnull=False), "team": Q(team_id__isnull=False),
                "queue": Q(queue_id__isnull=False), "kind": ~Q(ticket_kind=""), "company": ~Q(company="")},
    "surveys": {"agent": Q(agent_id__isnull=False), "team": Q(queue__team_id__isnull=False),
                "queue": Q(queue_id__isnull=False), "kind": ~Q(ticket__kind=""), "company": ~Q(customer__company="")},
}


def rollup_active() -> bool:
    """The rollups count days of the desk's time zone; a user browsing in another zone (their profile's)
    gets the figures from the rows themselves, so that their days stay theirs. REPORT_ROLLUPS = False
    (a setting, default True) reads the rows always, e.g. while a rebuild is pending."""
    if not getattr(settings, "REPORT_ROLLUPS", True):
        return False
    return timezone.get_current_timezone_name() == str(timezone.get_default_timezone())


def rollup_for(user, f: ReportFilter, *dimensions: str) -> QuerySet:
    """The rollup rows of the range and the user's scope, from the narrowest table that can answer."""
    needed = {d for d in dimensions if d in _DIMENSIONS}
    needed |= {dim for attr, dim in _ROLLUP_FILTERS.items() if getattr(f, attr)}
    model = next(m for m in ROLLUP_TABLES if needed <= set(m.KEY))
    qs = model.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    teams = team_scope(user)
    if teams is not None:
        qs = qs.filter(team__in=teams)
    for attr, dim in _ROLLUP_FILTERS.items():
        if getattr(f, attr):
            qs = qs.filter(**{dim: getattr(f, attr)})
    return qs


def _rollup_counter(name: str):
    """A counter as a sum of the rollup's columns."""
    stars = {f"s{star}": Sum(f"s{star}") for star in range(1, 6)}
    return {
        "n": Sum("n"),
        "satisfied": Sum(F("s4") + F("s5")),
        "low": Sum(F("s1") + F("s2")),
        "stars_sum": Sum(F("s1") + 2 * F("s2") + 3 * F("s3") + 4 * F("s4") + 5 * F("s5")),
        "sent": Sum("sent"),
        "answered": Sum("answered"),
        **stars,
    }[name]


def _row_counter(name: str):
    """A counter as an aggregate of the rating rows (n..s5) or the survey rows (sent, answered)."""
    stars = {f"s{star}": Count("id", filter=Q(stars=star)) for star in range(1, 6)}
    return {
        "n": Count("id"),
        "satisfied": Count("id", filter=Q(stars__gte=4)),
        "low": Count("id", filter=Q(stars__lte=2)),
        "stars_sum": Sum("stars"),
        "sent": Count("id"),
        "answered": Count("id", filter=Q(answered_at__isnull=False)),
        **stars,
    }[name]


class RatingCounts:
    """Counts of ratings and surveys of one user's scope and one filter, per key (see the module)."""

    def __init__(self, user, f: ReportFilter):
        self.user, self.f = user, f
        self.from_rollup = rollup_active()

    def per(self, group: str, counters: Sequence[str] = COUNTERS, *, known_only: bool = False) -> dict:
        """{key: {counter: int}} for every group with a counter above 0 (group "all": key None).
        `known_only` leaves out the group of ratings without that key (no agent, no company)."""
        if self.from_rollup:
            qs = self._rollup(group, counters, known_only)
            rows = grouped(qs, rollup_key(group), **_prefixed(counters, _rollup_counter))
            return self._collect(group, counters, [(rows, counters)])
        fetched = []
        for source, key, names in (("ratings", rating_key, _of(counters, RATING_COUNTERS)),
                                   ("surveys", survey_key, _of(counters, SURVEY_COUNTERS))):
            if names:
                qs = self._rows(source, known_only and group)
                fetched.append((grouped(qs, key(group), **_prefixed(names, _row_counter)), names))
        return self._collect(group, counters, fetched)

    def total(self, counters: Sequence[str] = COUNTERS) -> dict:
        """{counter: int} over everything in scope and range."""
        return self.per("all", counters).get(None, dict.fromkeys(counters, 0))

    def sql(self, groups: Sequence[str], counters: Sequence[str]) -> tuple[str, tuple]:
        """The SQL of the rating counters per combination of `groups`, to aggregate further in one
        statement: columns k_<group> and c_<counter>. Rating counters only (one source of rows)."""
        if _of(counters, SURVEY_COUNTERS):
            raise ValueError("RatingCounts.sql counts ratings only")
        if self.from_rollup:
            qs, key = self._rollup(groups, counters, False), rollup_key
            aggregates = _prefixed(counters, _rollup_counter)
        else:
            qs, key, aggregates = ratings_for(self.user, self.f), rating_key, _prefixed(counters, _row_counter)
        return sql_of(qs.order_by().values(**{f"k_{g}": key(g) for g in groups}).annotate(**aggregates))

    def _rollup(self, groups, counters: Sequence[str], known_only: bool) -> QuerySet:
        groups = (groups,) if isinstance(groups, str) else tuple(groups)
        qs = rollup_for(self.user, self.f, *groups)
        if not _of(counters, SURVEY_COUNTERS):
            qs = qs.filter(n__gt=0)  # days and keys with surveys but no rating count nothing here
        known = _KNOWN["rollup"].get(groups[0]) if known_only else None
        return qs if known is None else qs.filter(known)

    def _rows(self, source: str, known_group: str | bool) -> QuerySet:
        qs = ratings_for(self.user, self.f) if source == "ratings" else surveys_for(self.user, self.f)
        known = _KNOWN[source].get(known_group) if known_group else None  # weeks and months are always known
        return qs if known is None else qs.filter(known)

    @staticmethod
    def _collect(group: str, counters: Sequence[str], fetched: list[tuple[list[dict], Sequence[str]]]) -> dict:
        result: dict = {}
        for rows, names in fetched:
            for row in rows:
                values = {name: row[f"c_{name}"] or 0 for name in names}
                if any(values.values()):
                    key = normalise_key(group, row["key"])
                    result.setdefault(key, dict.fromkeys(counters, 0)).update(values)
        return result


def _of(counters: Sequence[str], family: tuple[str, ...]) -> list[str]:
    return [name for name in counters if name in family]


def _prefixed(counters: Sequence[str], counter) -> dict:
    """Aggregates named c_<counter>: an aggregate may not carry the name of a column (the rollup's n)."""
    return {f"c_{name}": counter(name) for name in counters}
