"""Revenue at risk (D4): customers x monthly spend x (1 - CSAT) x churn probability, from the
customers' real monthly spend (where known), overall and per customer company."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from reports.figures import maths
from reports.figures.counts import RatingCounts
from reports.figures.filters import ReportFilter, min_responses
from reports.figures.scopes import customers_for


def churn_probability() -> Decimal:
    return Decimal(str(settings.CHURN_PROBABILITY))


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
        result["revenue_at_risk"] = maths.revenue_at_risk(
            monthly_revenue=revenue, csat_percent=Decimal(str(round(csat_percent, 4))), churn_probability=churn
        )
    if spend["customers"]:
        result["per_point"] = maths.revenue_per_csat_point(monthly_revenue=revenue, churn_probability=churn)
    return result


def _company_row(company: str, customers: int, revenue: Decimal, rated: dict, churn: Decimal, minimum: int) -> dict:
    csat_value = maths.csat(rated["satisfied"], rated["n"])
    return {
        "company": company,
        "customers": customers,
        "monthly_revenue": revenue,
        "n": rated["n"],
        "csat": csat_value,
        "revenue_at_risk": maths.revenue_at_risk(
            monthly_revenue=revenue, csat_percent=Decimal(str(round(csat_value, 4))), churn_probability=churn
        ),
        "per_point": maths.revenue_per_csat_point(monthly_revenue=revenue, churn_probability=churn),
        "low_n": rated["n"] < minimum,
    }


def revenue_at_risk_by_company(user, f: ReportFilter, churn: Decimal | None = None, limit: int = 20) -> list[dict]:
    """Revenue at risk per customer company: each company's spend x (1 - its CSAT) x churn, largest
    first. Two queries: the ratings per company (`RatingCounts`), the spend of the rated companies."""
    churn = churn if churn is not None else churn_probability()
    rated = RatingCounts(user, f).per("company", ("n", "satisfied"), known_only=True)
    spend_rows = (
        customers_for(user, f)
        .filter(company__in=list(rated), monthly_spend__isnull=False)
        .order_by()
        .values("company")
        .annotate(customers=Count("id"), revenue=Sum("monthly_spend"))
    )
    minimum = min_responses()
    result = [
        _company_row(row["company"], row["customers"], row["revenue"], rated[row["company"]], churn, minimum)
        for row in spend_rows
    ]
    result.sort(key=lambda row: -row["revenue_at_risk"])
    return result[:limit]
