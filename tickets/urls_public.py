from django.urls import path

from tickets.views import customer

urlpatterns = [
    path("my/tickets/", customer.my_tickets, name="my_tickets"),
]
