"""Feedback API routes (surveys, ratings, pulses), included under /api/v1/ by feedback/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from feedback.api.views import PublicRatingView, PulseViewSet, RatingViewSet, TicketSurveyView

router = SimpleRouter()
router.register("ratings", RatingViewSet, basename="api-ratings")
router.register("pulses", PulseViewSet, basename="api-pulses")

urlpatterns = [
    path("tickets/<str:reference>/survey/", TicketSurveyView.as_view(), name="api-ticket-survey"),
    path("tickets/<str:reference>/survey/rating/", PublicRatingView.as_view(), name="api-survey-rating"),
    *router.urls,
]
