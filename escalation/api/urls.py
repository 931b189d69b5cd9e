"""Escalation API routes, included under /api/v1/ by helpdesk/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from escalation.api import views

router = SimpleRouter()
router.register("escalations", views.EscalationViewSet, basename="api-escalations")

urlpatterns = [
    *router.urls,
    path("tickets/<str:reference>/escalate/", views.TicketEscalateView.as_view(), name="api-ticket-escalate"),
    path("tickets/<str:reference>/remedies/", views.TicketRemediesView.as_view(), name="api-ticket-remedies"),
    path("tickets/<str:reference>/remedies/<int:pk>/approve/", views.RemedyApproveView.as_view(),
         name="api-remedy-approve"),
    path("tickets/<str:reference>/remedies/<int:pk>/deny/", views.RemedyDenyView.as_view(), name="api-remedy-deny"),
    path("remedies/", views.RemedyListView.as_view(), name="api-remedies"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("reports/escalations/", views.EscalationReportView.as_view(), name="api-report-escalations"),
]
