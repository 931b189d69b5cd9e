"""Admins may take any ticket: the assignee check accepts admins (they are not made team members)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from tests import factories
from tickets import services
from tickets.exceptions import InvalidAssignee
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _take_url(ticket) -> str:
    return reverse("tickets:take", args=[ticket.reference])


def test_admin_outside_the_team_takes_a_ticket_on_the_web(client, admin_user, ticket):
    client.force_login(admin_user)
    response = client.post(_take_url(ticket), {"version": ticket.version})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == admin_user
    assert not Membership.objects.filter(user=admin_user).exists()  # taking does not make them a member


def test_admin_sees_the_take_button_on_any_ticket(client, admin_user, ticket):
    client.force_login(admin_user)
    response = client.get(reverse("tickets:detail", args=[ticket.reference]))
    assert response.context["can_take"] is True
    assert _take_url(ticket) in response.content.decode()


def test_admin_takes_a_ticket_over_the_api(admin_user, ticket):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.patch(f"/api/v1/tickets/{ticket.reference}/",
                         {"version": ticket.version, "assignee": admin_user.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == admin_user.pk


def test_agent_of_another_team_still_cannot_be_assigned(ticket, agent):
    outsider = factories.agent_in(factories.TeamFactory())
    with pytest.raises(InvalidAssignee):
        services.ticket_assign(ticket=ticket, assignee=outsider, actor=agent)


def test_agent_of_another_team_is_refused_over_the_api(admin_user, ticket):
    outsider = factories.agent_in(factories.TeamFactory())
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.patch(f"/api/v1/tickets/{ticket.reference}/",
                         {"version": ticket.version, "assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignee"


def test_admin_assignee_stays_selectable_and_is_kept_by_a_properties_save(client, admin_user, agent, ticket):
    services.ticket_assign(ticket=ticket, assignee=admin_user, actor=admin_user)
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference]))
    offered = [value for value, _label in page.context["properties_form"].fields["assignee"].widget.choices]
    assert admin_user.pk in offered
    ticket.refresh_from_db()
    response = client.post(reverse("tickets:update", args=[ticket.reference]), {
        "version": ticket.version, "status": ticket.status, "priority": "high", "kind": ticket.kind,
        "queue": ticket.queue_id, "assignee": admin_user.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority) == (admin_user, "high")


def test_moving_a_ticket_to_another_team_keeps_an_admin_assignee(ticket, admin_user, agent):
    services.ticket_assign(ticket=ticket, assignee=admin_user, actor=admin_user)
    other_queue = factories.QueueFactory(team=factories.TeamFactory())
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=admin_user, queue=other_queue)
    assert Ticket.objects.get(pk=ticket.pk).assignee == admin_user
