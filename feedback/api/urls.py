from feedback.api import urls_feedback, urls_reports

urlpatterns = [*urls_feedback.urlpatterns, *urls_reports.urlpatterns]
