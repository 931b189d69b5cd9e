"""Who may open the workspace: staff only; tickets outside their teams do not exist for them."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _pages(ticket):
    ref = ticket.reference
    return [
        ("get", reverse("tickets:list")),
        ("get", reverse("tickets:create")),
        ("get", reverse("tickets:detail", args=[ref])),
        ("post", reverse("tickets:reply", args=[ref])),
        ("post", reverse("tickets:update", args=[ref])),
        ("post", reverse("tickets:take", args=[ref])),
        ("post", reverse("tickets:tags", args=[ref])),
    ]


def test_customers_get_403_on_every_workspace_page(client, customer_user, ticket):
    client.force_login(customer_user)
    for method, url in _pages(ticket):
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, ticket):
    for method, url in _pages(ticket):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_agent_of_another_team_gets_404_for_the_ticket(client, ticket):
    outsider = factories.agent_in(factories.TeamFactory())
    client.force_login(outsider)
    for method, url in _pages(ticket)[2:]:
        assert getattr(client, method)(url, {"version": ticket.version, "body": "x"}).status_code == 404, url


def test_supervisor_of_the_team_opens_the_ticket(client, supervisor, ticket):
    client.force_login(supervisor)
    assert client.get(reverse("tickets:detail", args=[ticket.reference])).status_code == 200


def test_admin_opens_any_ticket(client, admin_user, ticket):
    client.force_login(admin_user)
    assert client.get(reverse("tickets:detail", args=[ticket.reference])).status_code == 200


def test_actions_refuse_get(client, agent, ticket):
    client.force_login(agent)
    assert client.get(reverse("tickets:reply", args=[ticket.reference])).status_code == 405


def test_customer_panel_lists_only_other_tickets_the_agent_may_see(client, agent, queue, customer, ticket):
    visible = factories.TicketFactory(queue=queue, customer=customer, subject="Earlier visible ticket")
    hidden = factories.TicketFactory(queue=factories.QueueFactory(), customer=customer, subject="Elsewhere")
    client.force_login(agent)
    body = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert visible.reference in body
    assert hidden.reference not in body and "Elsewhere" not in body


def test_new_ticket_form_offers_only_the_agents_queues(client, agent, queue):
    foreign = factories.QueueFactory(name="Foreign queue")
    client.force_login(agent)
    response = client.get(reverse("tickets:create"))
    assert list(response.context["form"].fields["queue"].queryset) == [queue]
    assert foreign.name not in response.content.decode()


def test_nav_shows_new_ticket_to_staff_only(client, agent, customer_user, queue):
    client.force_login(agent)
    assert reverse("tickets:create") in client.get(reverse("tickets:list")).content.decode()
    client.force_login(customer_user)
    assert reverse("tickets:create") not in client.get(reverse("tickets:my_tickets")).content.decode()
