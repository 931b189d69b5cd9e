"""Do customer and agent satisfaction move together (D5)? CSAT-ASAT correlation over agent-weeks and
team-weeks, the lagged view (ASAT, then next week's CSAT) and the scatter's points.

One statement: the ratings' counts (`RatingCounts.sql`) and the published agent-weeks of pulses
(`feedback.pulse_privacy`) are each read ONCE, rolled up to agent-weeks and team-weeks, paired, and
turned into Pearson sums and Spearman sums over average ranks (window functions: RANK and a COUNT per
tie), on SQLite and PostgreSQL alike. `maths` makes coefficients, intervals and p-values of the sums.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from feedback.pulse_privacy import PRIVACY_MIN_PULSES, published_cells
from reports.figures import maths
from reports.figures.counts import RatingCounts
from reports.figures.filters import EpochWeek, ReportFilter, week_monday
from reports.figures.grouping import sql_of
from reports.figures.scopes import pulses_for, team_members

_RATINGS = ("SELECT k_agent AS agent_id, k_team AS team_id, k_week AS wk, c_n AS n, c_satisfied AS sat "
            "FROM ({}) rc")
_PULSES = "SELECT c_agent AS agent_id, c_key AS wk, c_n AS n, c_sat AS sat FROM ({}) pc"
_UNITS = (
    "r_agent AS (SELECT agent_id AS u, wk, SUM(n) AS n, SUM(sat) AS sat FROM ra "
    "WHERE agent_id IS NOT NULL GROUP BY agent_id, wk)",
    "p_agent AS (SELECT agent_id AS u, wk, n, sat FROM pa)",
    "r_team AS (SELECT team_id AS u, wk, SUM(n) AS n, SUM(sat) AS sat FROM ra "
    "WHERE team_id IS NOT NULL GROUP BY team_id, wk)",
    "p_team AS (SELECT mt.team_id AS u, pa.wk AS wk, SUM(pa.n) AS n, SUM(pa.sat) AS sat "
    "FROM pa INNER JOIN mt ON mt.user_id = pa.agent_id GROUP BY mt.team_id, pa.wk)",
)
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


def _correlation_ctes(user, f: ReportFilter) -> tuple[str, list]:
    """The CTEs of the correlation: ratings and pulses are each scanned ONCE (grouped by agent, team
    and week), then rolled up to agent-weeks and team-weeks inside the same statement."""
    ratings = RatingCounts(user, f).sql(("agent", "team", "week"), ("n", "satisfied"))
    # For "next week's CSAT" the pulses of the week before the range count too.
    pulses = sql_of(published_cells(  # published agent-weeks only (feedback.pulse_privacy)
        pulses_for(user, f.with_(date_from=f.date_from - dt.timedelta(days=7))), EpochWeek("week")
    ))
    members = sql_of(team_members(user, f))
    params: list = []
    parts = []
    for name, (sql, qs_params), wrapper in (("ra", ratings, _RATINGS), ("pa", pulses, _PULSES),
                                            ("mt", members, "{}")):
        parts.append(f"{name} AS ({wrapper.format(sql)})")
        params += qs_params
    return "WITH " + ", ".join([*parts, *_UNITS]), params


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


def _sums_of(rows, unit: str) -> dict[int, tuple[maths.Sums, maths.Sums]]:
    empty = maths.Sums.from_row((0,) * 6)
    result = {0: (empty, empty), 1: (empty, empty)}
    for row in rows:
        tag = row[0]
        if tag.startswith(f"s{unit}"):
            result[int(tag[-1])] = (maths.Sums.from_row(row[1:7]), maths.Sums.from_row((row[1], *row[7:12])))
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


def correlation_points(user, f: ReportFilter, unit: str = "agent") -> list[dict]:
    """The scatter: one point per unit-week, CSAT (x) and ASAT (y) with their n."""
    return _points_of(_correlation_rows(user, f, (unit,), unit), unit)


def _correlation_view(rows, unit: str, with_points: bool) -> dict:
    sums = _sums_of(rows, unit)
    what = _("customer satisfaction and agent satisfaction")
    result = {"unit": unit, "min_n": maths.MIN_CORRELATION_N}
    for lag, name in ((0, "same_week"), (1, "next_week")):
        pearson_sums, spearman_sums = sums[lag]
        pearson = maths.correlation_from_sums(pearson_sums)
        spearman = maths.correlation_from_sums(spearman_sums)
        result[name] = {
            "pearson": pearson.as_dict(),
            "spearman": spearman.as_dict(),
            "reading": maths.plain_reading(pearson, what),
            "trend": trend_line(pearson_sums) if pearson.enough else None,
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


def trend_line(s: maths.Sums) -> dict | None:
    """Least squares y = a + b·x from the same sums (ASAT against CSAT), for the scatter's line."""
    denominator = s.n * s.sxx - s.sx * s.sx
    if s.n < 2 or abs(denominator) < 1e-12:
        return None
    slope = (s.n * s.sxy - s.sx * s.sy) / denominator
    intercept = (s.sy - slope * s.sx) / s.n
    return {"slope": round(slope, 6), "intercept": round(intercept, 6)}
