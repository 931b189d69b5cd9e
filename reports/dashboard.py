"""What the dashboard shows, composed from `reports.figures`: a fixed number of queries whatever the
number of agents, weeks or groups (`dashboard_data` for the satisfaction figures, `escalation_panel`
for the escalation and SLA figures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from accounts.roles import Role, role_of
from escalation.selectors import open_counts_for
from reports import figures
from reports.figures import ReportFilter, escalations, maths


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def drill_links(rows: list[dict], f: ReportFilter) -> list[dict]:
    """Every group links to the ratings behind it, and to the low ones (1-2 stars)."""
    base = f.as_params()
    path = reverse("reports:ratings")  # once, not once per row
    for row in rows:
        params = {**base, **row.get("filter", {})}
        row["drill_url"] = f"{path}?{urlencode(params)}"
        row["drill_low_url"] = f"{path}?{urlencode({**params, 'stars_max': 2})}"
    return rows


def distribution_links(distribution: list[int], f: ReportFilter) -> list[dict]:
    base = f.as_params()
    return [
        {"stars": stars, "count": count,
         "url": _url("reports:ratings", {**base, "stars_min": stars, "stars_max": stars})}
        for stars, count in enumerate(distribution, start=1)
    ]


def trend_series(csat_weeks: list[dict], asat_weeks: list[dict]) -> dict:
    """Weekly CSAT, delight and ASAT on one axis of Mondays (weeks missing from one side are gaps)."""
    csat = {row["key"]: row for row in csat_weeks if row["key"] is not None}
    asat = {row["key"]: row for row in asat_weeks if row["key"] is not None}
    weeks = sorted(set(csat) | set(asat))
    rows = []
    for week in weeks:
        c, a = csat.get(week, {}), asat.get(week, {})
        rows.append(
            {
                "week": week,
                "csat": c.get("csat"),
                "delight": c.get("delight_rate"),
                "n": c.get("n", 0),
                "asat": a.get("asat"),
                "asat_n": a.get("n", 0),
                "low_n": c.get("low_n", True),
                "filter": figures.key_param("week", figures.week_number(dt.date.fromisoformat(week))),
            }
        )
    return {"rows": rows}


def dashboard_data(user, f: ReportFilter, group: str) -> dict:
    weekly = figures.csat_by_group(user, f, "week")
    total = figures.totals(weekly)
    groups = weekly if group == "week" else figures.csat_by_group(user, f, group)
    asat_weekly = figures.asat_by_group(user, f, "week")
    asat_total = (figures.asat_by_group(user, f) or [None])[0]
    asat_group = group if group in figures.ASAT_GROUPINGS else "team"
    asat_groups = asat_weekly if asat_group == "week" else figures.asat_by_group(user, f, asat_group)
    nps_total = (figures.nps_by_group(user, f) or [None])[0]
    correlation, team_correlation = figures.correlation_reports(user, f)
    revenue = figures.revenue_at_risk_report(user, f, total["csat"])
    burnout = figures.burnout_watch(user, f, agent_rows=groups if group == "agent" else None)
    for row in burnout:
        row["filter"] = {"agent": row["agent"]}
    by_company = figures.revenue_at_risk_by_company(user, f)
    for row in by_company:
        row["filter"] = {"company": row["company"]}
    trend = trend_series(weekly, asat_weekly)
    return {
        "total": total,
        "groups": drill_links(groups, f),
        "group": group,
        "trend": {"rows": drill_links(trend["rows"], f)},
        "distribution": distribution_links(total["distribution"], f),
        "asat_total": asat_total,
        "asat_groups": asat_groups,
        "asat_group": asat_group,
        "nps_total": nps_total,
        "correlation": correlation,
        "team_correlation": team_correlation,
        "burnout": drill_links(burnout, f),
        "revenue": revenue,
        "revenue_by_company": drill_links(by_company, f),
        "min_responses": figures.min_responses(),
        "privacy_min": figures.PRIVACY_MIN_PULSES,
    }


def escalation_panel(user, f: ReportFilter) -> dict:
    """The period's escalation and SLA figures, and what is open now for a supervisor or admin (the
    inbox's and the navigation badge's numbers). A fixed number of queries (5 or 6)."""
    role = role_of(user)
    now_open = None
    if role in (Role.SUPERVISOR, Role.ADMIN):
        now_open = {**open_counts_for(user), "all_teams": role == Role.ADMIN}
    return {"headline": escalations.headline(date_from=f.date_from, date_to=f.date_to), "now_open": now_open}


def chart_data(data: dict, labels: dict) -> dict:
    """The numbers the charts draw (json_script); the page shows the same numbers in tables."""
    trend = data["trend"]["rows"]
    points = data["correlation"].get("points", [])
    return {
        "labels": labels,
        "trend": {
            "weeks": [row["week"] for row in trend],
            "csat": [_r(row["csat"]) for row in trend],
            "delight": [_r(row["delight"]) for row in trend],
            "asat": [_r(row["asat"]) for row in trend],
        },
        "distribution": data["total"]["distribution"],
        "scatter": {
            "points": [{"x": p["csat"], "y": p["asat"]} for p in points],
            "trend": data["correlation"]["same_week"]["trend"],
        },
        "revenue": {
            "companies": [row["company"] for row in data["revenue_by_company"]],
            "at_risk": [float(row["revenue_at_risk"]) for row in data["revenue_by_company"]],
        },
    }


def _r(value):
    return None if value is None else round(value, 2)


def what_if(*, customers: int, monthly_spend: Decimal, csat: Decimal, churn: Decimal | None) -> dict:
    churn = churn if churn is not None else figures.churn_probability()
    revenue = Decimal(customers) * monthly_spend
    return {
        "customers": customers,
        "monthly_spend": monthly_spend,
        "monthly_revenue": revenue,
        "csat": csat,
        "churn_probability": churn,
        "revenue_at_risk": maths.revenue_at_risk(monthly_revenue=revenue, csat_percent=csat, churn_probability=churn),
        "per_point": maths.revenue_per_csat_point(monthly_revenue=revenue, churn_probability=churn),
    }
