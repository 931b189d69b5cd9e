"""Report pages (staff: supervisors and admins), under the `reports` namespace. The paths are the ones
the pages had before they moved here: the team pulse and the escalation measures kept theirs."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/ratings/", views.ratings, name="ratings"),
    path("reports/export/<slug:table>.csv", views.export, name="export"),
    path("pulse/team/", views.team_pulse, name="pulse_team"),
    path("escalations/measures/", views.escalation_measures, name="escalation_measures"),
]
