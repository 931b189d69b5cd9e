"""ASAT (D5): agents' satisfaction from their pulses, built from published agent-weeks only.

Every figure here aggregates the rows of `pulse_cells` (feedback.pulse_privacy.published_cells:
closed weeks, answers given in time, 5 or more of one agent), so any figure, and any difference of
two, is a sum of whole published agent-weeks (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from feedback.models import AgentPulse
from feedback.pulse_privacy import PRIVACY_MIN_PULSES, published_cells
from reports.figures import maths
from reports.figures.filters import ASAT_GROUPINGS, EpochWeek, ReportFilter, min_responses
from reports.figures.grouping import group_labels, key_json, label, sql_of
from reports.figures.scopes import pulses_for


def pulse_cells(qs: QuerySet[AgentPulse], key=None) -> tuple[str | None, list]:
    """The SQL of the published agent-weeks of `qs`: (c_agent, c_week, [c_key], c_n, c_sat, c_sum)."""
    try:
        sql, params = sql_of(published_cells(qs, key))
    except EmptyResultSet:  # e.g. no agent to ask about: nothing to count, no query
        return None, []
    return sql, list(params)


def _month_number(field: str):
    """year x 100 + month: a portable integer key for months of a date column (read back by `_month_of`)."""
    return ExtractYear(field) * 100 + ExtractMonth(field)


def _month_of(number) -> dt.date:
    return dt.date(int(number) // 100, int(number) % 100, 1)


def _asat_key(group: str):
    return {
        "agent": F("agent_id"),
        "team": F("agent__memberships__team_id"),
        "week": EpochWeek("week"),
        "month": _month_number("week"),
        "all": None,
    }[group]


def _asat_rows(qs: QuerySet[AgentPulse], group: str) -> list[dict]:
    """[{key, n, satisfied, score_sum}] per group, from published agent-weeks only. One query."""
    key = _asat_key(group)
    cells, params = pulse_cells(qs, key)
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
    return [
        {
            "group": group,
            "key": key_json(group, key),
            "label": label(group, key, labels),
            "n": row["n"],
            "n_used": row["n"],
            "asat": maths.percentage(row["satisfied"], row["n"]),
            "average_pulse": row["score_sum"] / row["n"],
            "hidden": False,
            "low_n": row["n"] < minimum,
        }
        for key, row in zip(keys, rows, strict=True)
    ]
