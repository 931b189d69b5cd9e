"""Survey pages (public, token only), agent pulse and the wow board. Included by feedback/urls.py."""

from django.urls import path

from feedback import views

urlpatterns = [
    path("survey/<str:reference>/<str:token>/", views.survey_page, name="survey"),
    path("relationship-survey/<str:token>/", views.relationship_survey_page, name="relationship_survey"),
    path("pulse/", views.pulses_page, name="pulses"),
    path("pulse/<int:pulse_id>/", views.pulse_answer, name="pulse_answer"),
    path("pulse/week/", views.weekly_pulse, name="pulse_weekly"),
    path("wow/", views.wow_board, name="wow_board"),
]
