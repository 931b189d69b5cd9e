"""The feedback app's pages: surveys and pulse (urls_survey), reports and dashboard (urls_reports)."""

from feedback import urls_reports, urls_survey

app_name = "feedback"

urlpatterns = [*urls_survey.urlpatterns, *urls_reports.urlpatterns]
