"""Tickets API routes, included under /api/v1/ by helpdesk/urls.py."""

from rest_framework.routers import SimpleRouter

from tickets.api.views import TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="api-tickets")

urlpatterns = [*router.urls]
