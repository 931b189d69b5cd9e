"""Report API routes, included under /api/v1/ by feedback/api/urls.py."""

from django.urls import path

from feedback.reports import api

urlpatterns = [
    path("reports/csat/", api.CsatReportView.as_view(), name="api-reports-csat"),
    path("reports/asat/", api.AsatReportView.as_view(), name="api-reports-asat"),
    path("reports/nps/", api.NpsReportView.as_view(), name="api-reports-nps"),
    path("reports/correlation/", api.CorrelationReportView.as_view(), name="api-reports-correlation"),
    path("reports/revenue-at-risk/", api.RevenueAtRiskView.as_view(), name="api-reports-revenue-at-risk"),
]
