"""The reports as JSON: the same filter form and selectors as the dashboard and the CSV exports.

/api/v1/reports/csat/, asat/, nps/ (staff; agents team-level only), correlation/ and revenue-at-risk/
(supervisors and admins). Every endpoint takes date_from, date_to, agent, team, queue, kind, company
and group_by; invalid parameters answer 400 with the API's one error contract.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback import metrics
from feedback.reports.dashboard import what_if
from feedback.reports.forms import ReportFilterForm, WhatIfForm
from feedback.reports.money import currency
from helpdesk.dates import DATE_SCHEMA
from tickets.permissions import IsStaffMember, IsSupervisorOrAdmin
from tickets.roles import Role, role_of

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", DATE_SCHEMA, description="First day (default: 12 weeks ago, Monday)"),
    OpenApiParameter("date_to", DATE_SCHEMA, description="Last day, inclusive (default: today)"),
    OpenApiParameter("agent", OpenApiTypes.INT, description="Agent id (supervisors and admins only)"),
    OpenApiParameter("team", OpenApiTypes.INT),
    OpenApiParameter("queue", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["question", "problem", "complaint"]),
    OpenApiParameter("company", OpenApiTypes.STR),
    OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(metrics.GROUPINGS)),
]


def jsonable(value):
    """Money stays exact (Decimal as a string); floats are rounded for reading."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class ReportView(APIView):
    permission_classes = [IsStaffMember]
    default_group = "all"
    allowed_groups: tuple = (*metrics.GROUPINGS, "all")

    def parse(self, request):
        if role_of(request.user) == Role.AGENT and "agent" in request.query_params:
            raise PermissionDenied
        form = ReportFilterForm(request.query_params, user=request.user, default_group=self.default_group)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors.get_json_data())
        group = form.cleaned_data["group_by"]
        if group not in self.allowed_groups:
            raise exceptions.ValidationError(
                {"group_by": [{"message": f"One of: {', '.join(self.allowed_groups)}.", "code": "invalid_choice"}]}
            )
        return form.to_filter(), group

    def envelope(self, f, group, **payload):
        return Response(
            jsonable(
                {
                    "filters": {**f.as_params(), "group_by": group},
                    "min_responses": metrics.min_responses(),
                    **payload,
                }
            )
        )


@extend_schema(tags=["reports"], parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
class CsatReportView(ReportView):
    """CSAT, delight rate, distribution, average stars and response rate, with n, overall and per group."""

    def get(self, request):
        f, group = self.parse(request)
        rows = metrics.csat_by_group(request.user, f, "week" if group == "all" else group)
        total = metrics.totals(rows)
        return self.envelope(f, group, total=total, groups=[] if group == "all" else rows)


@extend_schema(tags=["reports"], parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
class AsatReportView(ReportView):
    """ASAT and average pulse per agent, team, week or month, from published agent-weeks only: weeks
    that are over, and one agent's 5 or more answers given in time (docs/privacy.md). `n` counts
    their pulses (`n_used`, kept for clients, is the same); a group with none is not listed."""

    allowed_groups = (*metrics.ASAT_GROUPINGS, "all")

    def get(self, request):
        f, group = self.parse(request)
        total = (metrics.asat_by_group(request.user, f) or [None])[0]
        rows = [] if group == "all" else metrics.asat_by_group(request.user, f, group)
        return self.envelope(f, group, privacy_min=metrics.PRIVACY_MIN_PULSES, total=total, groups=rows)


@extend_schema(tags=["reports"], parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
class NpsReportView(ReportView):
    """NPS from relationship surveys (promoters 9-10 minus detractors 0-6), per company, week or month."""

    allowed_groups = (*metrics.NPS_GROUPINGS, "all")

    def get(self, request):
        f, group = self.parse(request)
        total = (metrics.nps_by_group(request.user, f) or [None])[0]
        rows = [] if group == "all" else metrics.nps_by_group(request.user, f, group)
        return self.envelope(f, group, total=total, groups=rows)


@extend_schema(
    tags=["reports"],
    parameters=[*FILTER_PARAMETERS, OpenApiParameter("unit", OpenApiTypes.STR, enum=["agent", "team"])],
    responses=OpenApiTypes.OBJECT,
)
class CorrelationReportView(ReportView):
    """CSAT-ASAT correlation over agent-weeks (or team-weeks): Pearson and Spearman with n, 95% interval
    and p-value, a plain reading, the lagged view (ASAT then next week's CSAT) and the points."""

    permission_classes = [IsSupervisorOrAdmin]

    def get(self, request):
        f, group = self.parse(request)
        unit = request.query_params.get("unit", "agent")
        if unit not in ("agent", "team"):
            raise exceptions.ValidationError({"unit": [{"message": "One of: agent, team.", "code": "invalid_choice"}]})
        report = metrics.correlation_report(request.user, f, unit=unit)
        points = report.pop("points", [])  # already plain numbers: no need to walk them
        response = self.envelope(f, group, **report)
        response.data["points"] = points
        return response


@extend_schema(
    tags=["reports"],
    parameters=[
        *FILTER_PARAMETERS,
        OpenApiParameter("customers", OpenApiTypes.INT, description="What-if: number of customers"),
        OpenApiParameter("monthly_spend", OpenApiTypes.DECIMAL, description="What-if: spend per customer"),
        OpenApiParameter("csat", OpenApiTypes.DECIMAL, description="What-if: CSAT in percent"),
        OpenApiParameter("churn", OpenApiTypes.DECIMAL, description="What-if: churn probability (default 0.95)"),
    ],
    responses=OpenApiTypes.OBJECT,
)
class RevenueAtRiskView(ReportView):
    """Revenue at risk (D4) from the customers' real spend and the period's CSAT, per company too;
    or, with customers, monthly_spend and csat, the what-if for those numbers."""

    permission_classes = [IsSupervisorOrAdmin]

    def get(self, request):
        if {"customers", "monthly_spend", "csat", "churn"} & set(request.query_params):  # any: the what-if
            form = WhatIfForm(request.query_params)
            if not form.is_valid():
                raise exceptions.ValidationError(form.errors.get_json_data())
            return Response(jsonable({"what_if": True, "currency": currency(), **what_if(**form.cleaned_data)}))
        f, group = self.parse(request)
        total = metrics.csat_overall(request.user, f)
        report = metrics.revenue_at_risk_report(request.user, f, total["csat"])
        return self.envelope(
            f, group, what_if=False, currency=currency(), responses=total["n"], **report,
            by_company=metrics.revenue_at_risk_by_company(request.user, f),
        )
