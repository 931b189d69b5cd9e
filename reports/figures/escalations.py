"""Whether escalation works (D6): the measures page, the API report and the dashboard's panel read this.

Every figure is computed by the database; no rows are loaded into Python. Percentiles (median,
90th) use PostgreSQL's percentile_cont (one query for both); elsewhere (SQLite) the same continuous
percentile is read with one COUNT and, per fraction, `ORDER BY duration LIMIT 2 OFFSET k` (the
database sorts, at most two values travel) and interpolated: a fixed number of queries, however
many escalations there are.
"""

import math
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from escalation.models import Escalation, Trigger
from feedback.models import Rating
from reports.figures.sla import first_response_compliance, share, sla_by_queue_and_priority, window


class _PercentileSeconds(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


def _interpolate(values: list[float], position: float) -> float:
    low = math.floor(position)
    if len(values) == 1 or position == low:
        return values[0]
    return values[0] + (values[1] - values[0]) * (position - low)


def _durations(qs: QuerySet, start_field: str, end_field: str, fractions: tuple[float, ...] = (0.5, 0.9)) -> dict:
    """n, and the continuous percentiles (percentile_cont) of end - start in seconds, by `fractions`."""
    qs = qs.filter(**{f"{end_field}__isnull": False})
    names = {0.5: "median_seconds", 0.9: "p90_seconds"}
    gap = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = qs.aggregate(n=Count("id"), **{names[f]: _PercentileSeconds(F(end_field) - F(start_field), f)
                                            for f in fractions})
        return {"n": row.pop("n"), **row}
    n = qs.count()
    result: dict = {"n": n}
    ordered = qs.annotate(gap=gap).order_by("gap", "pk").values_list("gap", flat=True)
    for fraction in fractions:
        if not n:
            result[names[fraction]] = None
            continue
        position = (n - 1) * fraction
        low = math.floor(position)
        values = [g.total_seconds() for g in ordered[low:low + 2]]
        result[names[fraction]] = _interpolate(values, position)
    return result


def _grouped(qs: QuerySet, field: str, label: str | Func) -> list[dict]:
    if not isinstance(label, str):  # an expression: grouped by its value under one name
        qs, label = qs.annotate(group_label=label), "group_label"
    rows = qs.values(field, label).annotate(n=Count("id")).order_by("-n", label)
    return [{"id": row[field], "name": row[label] or "—", "count": row["n"]} for row in rows]


def _person_name(prefix: str) -> Func:
    """A person's full name (first and last, as User.get_full_name() joins them), else their username:
    in SQL, so the grouped counts stay one query."""
    full = Trim(Concat(F(f"{prefix}__first_name"), Value(" "), F(f"{prefix}__last_name"),
                       output_field=CharField()))
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}__username"), output_field=CharField())


def _recovery(escalations: QuerySet) -> dict:
    """Service recovery: low ratings escalated, and how many of those tickets were later rated 4-5."""
    recovery = escalations.filter(trigger=Trigger.SERVICE_RECOVERY)
    later_good = Rating.objects.filter(ticket_id=OuterRef("ticket_id"), stars__gte=4).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(pk=OuterRef("rating_id"))
    )
    row = recovery.aggregate(n=Count("id"), recovered=Count("id", filter=Q(Exists(later_good))))
    return {"low_rated": row["n"], "recovered": row["recovered"], "share": share(row["recovered"], row["n"])}


def _escalations_raised(date_from: date | None, date_to: date | None, queue=None, team=None) -> QuerySet:
    start, end = window(date_from, date_to)
    escalations = Escalation.objects.filter(created_at__gte=start, created_at__lt=end)
    if queue is not None:
        escalations = escalations.filter(queue=queue)
    if team is not None:
        escalations = escalations.filter(team=team)
    return escalations


def _by_trigger(escalations: QuerySet) -> list[dict]:
    labels = dict(Trigger.choices)
    return [
        {"trigger": row["trigger"], "name": str(labels.get(row["trigger"], row["trigger"])), "count": row["n"]}
        for row in escalations.values("trigger").annotate(n=Count("id")).order_by("-n", "trigger")
    ]


def summary(*, date_from: date | None = None, date_to: date | None = None, queue=None, team=None) -> dict:
    """All the escalation and SLA measures for escalations raised in [date_from, date_to]."""
    start, end = window(date_from, date_to)
    escalations = _escalations_raised(date_from, date_to, queue, team)
    totals = escalations.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(state__in=Escalation.OPEN_STATES)),
        resolved=Count("id", filter=Q(state=Escalation.State.RESOLVED)),
        returned=Count("id", filter=Q(state=Escalation.State.RETURNED)),
    )
    closed = totals["resolved"] + totals["returned"]
    return {
        "date_from": start.date(),
        "date_to": (end - timedelta(days=1)).date(),
        "total": totals["total"],
        "open": totals["open"],
        "by_trigger": _by_trigger(escalations),
        "by_queue": _grouped(escalations, "queue_id", "queue__name"),
        "by_team": _grouped(escalations, "team_id", "team__name"),
        "by_agent": _grouped(escalations.filter(agent__isnull=False), "agent_id", _person_name("agent")),
        "time_to_acknowledge": _durations(escalations, "created_at", "acknowledged_at"),
        "time_to_resolve": _durations(escalations, "created_at", "resolved_at"),
        "outcomes": {
            "resolved_by_supervisor": totals["resolved"],
            "returned_to_agent": totals["returned"],
            "resolved_share": share(totals["resolved"], closed),
            "returned_share": share(totals["returned"], closed),
        },
        "sla": sla_by_queue_and_priority(date_from, date_to, queue, team),
        "service_recovery": _recovery(escalations),
    }


def headline(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """The few figures the reports dashboard shows, each computed alone (4 queries on PostgreSQL,
    5 elsewhere), not the whole summary."""
    start, end = window(date_from, date_to)
    escalations = _escalations_raised(date_from, date_to)
    totals = escalations.aggregate(total=Count("id"), open=Count("id", filter=Q(state__in=Escalation.OPEN_STATES)))
    ack = _durations(escalations, "created_at", "acknowledged_at", fractions=(0.5,))
    return {
        "total": totals["total"],
        "open": totals["open"],
        "median_ack_seconds": ack["median_seconds"],
        "first_response_compliance": first_response_compliance(start, end),
        "recovery_share": _recovery(escalations)["share"],
        "date_from": start.date(),
        "date_to": (end - timedelta(days=1)).date(),
    }
