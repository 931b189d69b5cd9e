from django.urls import path

from tickets.views import workspace

urlpatterns = [
    path("tickets/", workspace.ticket_list, name="list"),
]
