"""The agent's workspace: ticket list and ticket page."""

from django.core.paginator import Paginator
from django.shortcuts import render

from tickets import selectors
from tickets.permissions import staff_required


@staff_required
def ticket_list(request):
    tickets = selectors.visible_to(request.user).select_related("customer", "queue", "assignee")
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    return render(request, "tickets/list.html", {"page": page})
