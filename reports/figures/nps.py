"""NPS (D3) from relationship surveys: promoters (9-10) minus detractors (0-6), in percent."""

from __future__ import annotations

from django.db.models import Count, Q

from reports.figures import maths
from reports.figures.filters import NPS_GROUPINGS, ReportFilter, min_responses
from reports.figures.grouping import group_labels, grouped, key_json, label, normalise_key, nps_key
from reports.figures.scopes import nps_for


def nps_by_group(user, f: ReportFilter, group: str = "all") -> list[dict]:
    if group not in (*NPS_GROUPINGS, "all"):
        return []
    rows = grouped(
        nps_for(user, f),
        nps_key(group),
        n=Count("id"),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    keys = [normalise_key(group, r["key"]) for r in rows]
    labels = group_labels(group, keys) if group != "all" else {}
    result = []
    for key, row in zip(keys, rows, strict=True):
        n = row["n"] or 0
        result.append(
            {
                "group": group,
                "key": key_json(group, key),
                "label": label(group, key, labels),
                "n": n,
                "promoters": row["promoters"],
                "passives": n - row["promoters"] - row["detractors"],
                "detractors": row["detractors"],
                "nps": maths.nps(row["promoters"], row["detractors"], n),
                "low_n": n < min_responses(),
            }
        )
    return result
