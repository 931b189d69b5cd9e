"""Every figure the reports show (D3-D6), split along its seams and re-exported here.

    from reports import figures
    figures.csat_by_group(user, f, "agent")

| module | holds |
| --- | --- |
| `filters` | `ReportFilter` (a date range and slices), the groupings, week arithmetic |
| `scopes` | what a user may aggregate: ratings, surveys, pulses, NPS answers, customers |
| `counts` | `RatingCounts`: counts of ratings and surveys per key, from the rollups or the rows |
| `grouping` | group keys, one GROUP BY per figure, labels and drill-down parameters |
| `csat`, `asat`, `nps` | the satisfaction figures (ASAT from published agent-weeks only) |
| `correlation`, `burnout`, `revenue` | CSAT-ASAT correlation, burnout watch, revenue at risk |
| `escalations`, `sla` | escalation and SLA measures |
| `maths` | pure statistics and money, no database |

Each figure takes the user (whose role decides the scope) and a `ReportFilter`, and returns plain
dicts ready for a template, a CSV file or the API, so that page, export and API show the same numbers.
Every figure is a SQL aggregate, never rows in Python; the number of queries depends on the figures
asked for, never on the number of agents, weeks or groups. Everything runs on SQLite and PostgreSQL.
"""

from feedback.pulse_privacy import PRIVACY_MIN_PULSES
from reports.figures.asat import asat_by_group
from reports.figures.burnout import (
    BURNOUT_ASAT_DROP,
    BURNOUT_ESCALATED_SHARE,
    BURNOUT_LOW_SHARE,
    burnout_watch,
)
from reports.figures.correlation import (
    correlation_points,
    correlation_report,
    correlation_reports,
)
from reports.figures.counts import ROLLUP_TABLES, RatingCounts, rollup_active, rollup_for
from reports.figures.csat import csat_by_group, csat_overall, ratings_list, totals
from reports.figures.filters import (
    AGENT_ROLE_GROUPINGS,
    ASAT_GROUPINGS,
    GROUPINGS,
    NPS_GROUPINGS,
    EpochWeek,
    ReportFilter,
    min_responses,
    week_monday,
    week_number,
)
from reports.figures.grouping import group_labels, key_param
from reports.figures.nps import nps_by_group
from reports.figures.revenue import churn_probability, revenue_at_risk_by_company, revenue_at_risk_report
from reports.figures.scopes import customers_for, nps_for, pulses_for, ratings_for, surveys_for

__all__ = [
    "AGENT_ROLE_GROUPINGS",
    "ASAT_GROUPINGS",
    "BURNOUT_ASAT_DROP",
    "BURNOUT_ESCALATED_SHARE",
    "BURNOUT_LOW_SHARE",
    "GROUPINGS",
    "NPS_GROUPINGS",
    "PRIVACY_MIN_PULSES",
    "ROLLUP_TABLES",
    "EpochWeek",
    "RatingCounts",
    "ReportFilter",
    "asat_by_group",
    "burnout_watch",
    "churn_probability",
    "correlation_points",
    "correlation_report",
    "correlation_reports",
    "csat_by_group",
    "csat_overall",
    "customers_for",
    "group_labels",
    "key_param",
    "min_responses",
    "nps_by_group",
    "nps_for",
    "pulses_for",
    "ratings_for",
    "ratings_list",
    "revenue_at_risk_by_company",
    "revenue_at_risk_report",
    "rollup_active",
    "rollup_for",
    "surveys_for",
    "totals",
    "week_monday",
    "week_number",
]
