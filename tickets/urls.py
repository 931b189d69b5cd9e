from django.urls import path

from tickets.views import customer, workspace

app_name = "tickets"

urlpatterns = [
    path("tickets/", workspace.ticket_list, name="list"),
    path("my/tickets/", customer.my_tickets, name="my_tickets"),
]
