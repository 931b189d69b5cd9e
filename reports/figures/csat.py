"""CSAT, delight, average stars, distribution and response rate (D3), and the ratings behind a figure."""

from __future__ import annotations

from django.db.models import QuerySet

from feedback.models import Rating
from reports.figures import maths
from reports.figures.counts import RatingCounts
from reports.figures.filters import ReportFilter, min_responses
from reports.figures.grouping import group_labels, key_json, key_param, label
from reports.figures.scopes import ratings_for

# What a CSAT row is made of (every counter but "low", which the burnout watch asks for).
CSAT_COUNTERS = ("n", "satisfied", "stars_sum", "s1", "s2", "s3", "s4", "s5", "sent", "answered")


def csat_by_group(user, f: ReportFilter, group: str = "all") -> list[dict]:
    """CSAT, delight, average stars, distribution and response rate per group: the counts per group
    (`RatingCounts`: one GROUP BY over the rollup, or two over the rows) and one query for labels,
    whatever the number of groups."""
    by_key = RatingCounts(user, f).per(group, CSAT_COUNTERS)
    labels = group_labels(group, by_key) if group != "all" else {}
    minimum = min_responses()
    ordered = sorted(by_key, key=lambda k: (k is None, "" if k is None else k))
    return [csat_row(group, key, by_key[key], labels, minimum) for key in ordered]


def csat_row(group: str, key, data: dict, labels: dict, minimum: int) -> dict:
    n = data.get("n") or 0
    sent = data.get("sent") or 0
    answered = data.get("answered") or 0
    distribution = [data.get(f"s{star}") or 0 for star in range(1, 6)]
    return {
        "group": group,
        "key": key_json(group, key),
        "label": label(group, key, labels),
        "filter": key_param(group, key),
        "n": n,
        "satisfied": data.get("satisfied") or 0,
        "delighted": distribution[4],
        "csat": maths.csat(data.get("satisfied"), n),
        "delight_rate": maths.percentage(distribution[4], n),
        "average_stars": (data.get("stars_sum") or 0) / n if n else None,
        "distribution": distribution,
        "sent": sent,
        "answered": answered,
        "response_rate": maths.percentage(answered, sent),
        "low_n": n < minimum,
    }


def csat_overall(user, f: ReportFilter) -> dict:
    """The overall CSAT alone: one aggregate over the ratings (no surveys, no grouping)."""
    row = RatingCounts(user, f).total(("n", "satisfied"))
    return {"n": row["n"], "satisfied": row["satisfied"], "csat": maths.csat(row["satisfied"], row["n"])}


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
    return csat_row("all", None, data, {}, min_responses())


def ratings_list(user, f: ReportFilter, *, stars_min: int | None = None, stars_max: int | None = None
                 ) -> QuerySet[Rating]:
    """The ratings behind a figure, newest first, with what the list shows joined in (one query a page)."""
    qs = ratings_for(user, f)
    if stars_min:
        qs = qs.filter(stars__gte=stars_min)
    if stars_max:
        qs = qs.filter(stars__lte=stars_max)
    return qs.select_related("ticket", "agent", "queue", "customer").order_by("-created_at", "-id")
