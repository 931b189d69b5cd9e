"""Report API routes, included under /api/v1/ by helpdesk/urls.py."""

from django.urls import path

from reports.api import escalations, views

urlpatterns = [
    path("reports/csat/", views.CsatReportView.as_view(), name="api-reports-csat"),
    path("reports/asat/", views.AsatReportView.as_view(), name="api-reports-asat"),
    path("reports/nps/", views.NpsReportView.as_view(), name="api-reports-nps"),
    path("reports/correlation/", views.CorrelationReportView.as_view(), name="api-reports-correlation"),
    path("reports/revenue-at-risk/", views.RevenueAtRiskView.as_view(), name="api-reports-revenue-at-risk"),
    path("reports/escalations/", escalations.EscalationReportView.as_view(), name="api-report-escalations"),
]
