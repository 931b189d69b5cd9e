"""Report pages (supervisors and admins). Included by feedback/urls.py under the `feedback` namespace."""

from django.urls import path

from feedback.reports import views

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/ratings/", views.ratings, name="report_ratings"),
    path("reports/export/<slug:table>.csv", views.export, name="report_export"),
]
