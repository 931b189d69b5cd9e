"""The feedback app's pages: surveys, the agent's pulse and the wow board (urls_survey). The reports
(dashboard, team pulse) are the reports app's."""

from feedback import urls_survey

app_name = "feedback"

urlpatterns = [*urls_survey.urlpatterns]
