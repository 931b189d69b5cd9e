"""The list opens on the unsolved work (new, open, pending), and each view's badge counts what its tab lists."""

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def one_of_each_status(queue, agent):
    """Five tickets assigned to the agent and five unassigned, one per status."""
    tickets = {}
    for assigned in (True, False):
        for status in Ticket.Status.values:
            ticket = factories.TicketFactory(queue=queue)
            if assigned:
                services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
            if status in (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.RESOLVED):
                services.ticket_transition(ticket=ticket, to_status=status, actor=agent)
            elif status == Ticket.Status.CLOSED:
                services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent)
                services.ticket_transition(ticket=ticket, to_status=Ticket.Status.CLOSED, actor=agent)
            ticket.refresh_from_db()
            tickets[(assigned, status)] = ticket
    return tickets


def _statuses(response) -> set[str]:
    return {row.status_label for row in response.context["rows"]}


def test_default_list_shows_only_unsolved_tickets(agent_client, one_of_each_status):
    response = agent_client.get(reverse("tickets:list"))
    assert _statuses(response) == {str(Ticket.Status(s).label) for s in Ticket.OPEN_STATUSES}
    assert response.context["page"].paginator.count == 6


@pytest.mark.parametrize("view", ["my", "unassigned", "team"])
def test_view_badge_equals_the_number_of_tickets_its_tab_lists(agent_client, one_of_each_status, view):
    tabs = {v["slug"]: v for v in agent_client.get(reverse("tickets:list")).context["views"]}
    listed = agent_client.get(reverse("tickets:list"), {"view": view}).context["page"].paginator.count
    assert tabs[view]["count"] == listed


def test_any_status_option_lists_resolved_and_closed_tickets_too(agent_client, one_of_each_status):
    response = agent_client.get(reverse("tickets:list"), {"status": "any"})
    assert response.context["page"].paginator.count == 10
    assert "were not understood" not in response.content.decode()


def test_chosen_status_replaces_the_unsolved_default(agent_client, one_of_each_status):
    response = agent_client.get(reverse("tickets:list"), {"view": "my", "status": "resolved"})
    assert [row.reference for row in response.context["rows"]] == [
        one_of_each_status[(True, Ticket.Status.RESOLVED)].reference
    ]


def test_status_select_offers_unsolved_first_and_any_status_last(agent_client, one_of_each_status):
    body = agent_client.get(reverse("tickets:list")).content.decode()
    select = body.split('id="f-status"', 1)[1].split("</select>", 1)[0]
    assert select.index('value="" selected') < select.index('value="new"') < select.index('value="any"')


def test_badge_says_it_counts_unsolved_tickets(agent_client, one_of_each_status):
    body = agent_client.get(reverse("tickets:list")).content.decode()
    assert "unsolved" in body.split('class="nav nav-tabs', 1)[1].split("</ul>", 1)[0].lower()


def test_unsolved_and_any_status_lists_cost_the_same_fixed_number_of_queries(agent_client, one_of_each_status,
                                                                              queue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(reverse("tickets:list"), params).status_code == 200
        return len(ctx.captured_queries)

    before = (queries({}), queries({"status": "any"}))
    for _ in range(8):
        factories.TicketFactory(queue=queue)
    assert (queries({}), queries({"status": "any"})) == before
    assert before[0] == before[1]
