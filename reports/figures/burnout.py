"""Burnout watch (D5): agents whose ASAT is falling while many of their ratings are low (1-2 stars) or
many of their surveyed tickets were escalated.

Queries: ratings and surveys per agent (`RatingCounts`; none when the CSAT-by-agent rows are passed
in), pulses per agent in two windows (published agent-weeks only), escalated tickets of the agents
whose ASAT fell (`escalation.selectors`, one query, none when nobody's ASAT fell), their names.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from accounts.roles import Role, role_of
from escalation.selectors import escalated_tickets_per_agent
from feedback.pulse_privacy import PRIVACY_MIN_PULSES
from helpdesk.dates import monday_of
from reports.figures.asat import pulse_cells
from reports.figures.counts import RatingCounts
from reports.figures.filters import ReportFilter, min_responses
from reports.figures.grouping import group_labels
from reports.figures.scopes import pulses_for

BURNOUT_LOW_SHARE = 0.2  # at least a fifth of the agent's ratings are 1-2 stars
BURNOUT_ESCALATED_SHARE = 0.1  # or at least a tenth of the agent's surveyed tickets were escalated
BURNOUT_ASAT_DROP = 10.0  # and ASAT fell by at least 10 points, last 4 weeks against the 4 before

_WINDOWS = (
    "SELECT c_agent, SUM({recent_n}), SUM({recent_sat}), SUM({earlier_n}), SUM({earlier_sat}) "
    "FROM ({cells}) cells GROUP BY c_agent"
)
_RECENT = "CASE WHEN c_week >= %s THEN {} ELSE 0 END"
_EARLIER = "CASE WHEN c_week < %s THEN {} ELSE 0 END"


def _ratings_per_agent(user, f: ReportFilter, agent_rows: list[dict] | None) -> dict:
    """{agent: {"n", "low", "sent"}}: ratings, 1-2 star ratings and surveys sent (the tickets the
    escalated share is counted against) per agent; no query when `agent_rows` are given."""
    if agent_rows is not None:
        return {
            row["key"]: {"n": row["n"], "low": row["distribution"][0] + row["distribution"][1], "sent": row["sent"]}
            for row in agent_rows
            if row["key"] is not None
        }
    return RatingCounts(user, f).per("agent", ("n", "low", "sent"), known_only=True)


def _pulse_windows(user, f: ReportFilter, agents) -> list[dict]:
    """Per agent, pulses and satisfied pulses of the last 4 weeks of the range and of the 4 before
    (published agent-weeks only). One query."""
    recent_from = monday_of(f.date_to) - dt.timedelta(weeks=3)
    window = f.with_(date_from=recent_from - dt.timedelta(weeks=4))
    cells, params = pulse_cells(pulses_for(user, window).filter(agent_id__in=list(agents)))
    if cells is None:
        return []
    sql = _WINDOWS.format(recent_n=_RECENT.format("c_n"), recent_sat=_RECENT.format("c_sat"),
                          earlier_n=_EARLIER.format("c_n"), earlier_sat=_EARLIER.format("c_sat"), cells=cells)
    with connection.cursor() as cursor:
        cursor.execute(sql, [recent_from] * 4 + params)
        fetched = cursor.fetchall()
    return [
        {"key": agent, "recent_n": int(rn or 0), "recent_sat": int(rs or 0), "earlier_n": int(en or 0),
         "earlier_sat": int(es or 0)}
        for agent, rn, rs, en, es in fetched
    ]


def _falling(pulses: list[dict], ratings: dict, minimum: int) -> list[tuple]:
    """(agent, their counts, ASAT before, ASAT recently) of the rated agents whose ASAT fell enough."""
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
    return falling


def _flagged(agent: int, rated: dict, asat_earlier: float, asat_recent: float, escalated: int,
             minimum: int) -> dict | None:
    """The agent's row when their low share or their escalated share is high enough, else None."""
    low_share = rated["low"] / rated["n"] if rated["n"] >= minimum else None
    sent = rated.get("sent", 0)
    escalated_share = escalated / sent if sent >= minimum else None
    high_low = low_share is not None and low_share >= BURNOUT_LOW_SHARE
    high_escalated = escalated_share is not None and escalated_share >= BURNOUT_ESCALATED_SHARE
    if not (high_low or high_escalated):
        return None
    return {
        "agent": agent,
        "n": rated["n"],
        "low": rated["low"],
        "low_share": 100.0 * (low_share or 0.0),
        "sent": sent,
        "escalated": escalated,
        "escalated_share": None if escalated_share is None else 100.0 * escalated_share,
        "asat_earlier": asat_earlier,
        "asat_recent": asat_recent,
        "asat_change": asat_recent - asat_earlier,
    }


def burnout_watch(user, f: ReportFilter, agent_rows: list[dict] | None = None) -> list[dict]:
    """Agents with a high share of 1-2 star ratings or of escalated tickets whose ASAT is falling,
    most worrying first. `agent_rows`: the CSAT-by-agent rows, when already computed."""
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN):
        return []
    ratings = _ratings_per_agent(user, f, agent_rows)
    pulses = _pulse_windows(user, f, ratings)
    minimum = min_responses()
    falling = _falling(pulses, ratings, minimum)
    escalated = {}
    if falling:
        escalated = escalated_tickets_per_agent(start=f.date_from, end=f.date_to,
                                                agent_ids=[agent for agent, *_rest in falling])
    flagged = [row for agent, rated, earlier, recent in falling
               if (row := _flagged(agent, rated, earlier, recent, escalated.get(agent, 0), minimum))]
    labels = group_labels("agent", [row["agent"] for row in flagged])
    for row in flagged:
        row["label"] = labels.get(row["agent"], str(row["agent"]))
    flagged.sort(key=lambda row: (-max(row["low_share"], row["escalated_share"] or 0.0), row["asat_change"]))
    return flagged
