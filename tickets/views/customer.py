"""Pages a customer sees: their tickets (when logged in)."""

from django.shortcuts import render

from tickets import selectors
from tickets.permissions import customer_required


@customer_required
def my_tickets(request):
    tickets = selectors.visible_to(request.user).select_related("queue")
    return render(request, "tickets/my_tickets.html", {"tickets": tickets[:100]})
