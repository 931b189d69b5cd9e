"""The agent's list costs the same number of SQL queries whatever the page size or the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.selectors_workspace import view_counts

pytestmark = pytest.mark.django_db


def _make_tickets(n, *, queue, agent):
    for i in range(n):
        customer = factories.CustomerFactory()
        ticket = factories.TicketFactory(queue=queue, customer=customer, subject=f"Printer jam {i}",
                                         tags=[f"tag{i % 3}", "printer"])
        services.message_add(ticket=ticket, body=f"The printer jams again ({i})", author_customer=customer)
        if i % 2:
            services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_list_query_count_does_not_depend_on_page_size(agent_client, agent, queue):
    _make_tickets(30, queue=queue, agent=agent)
    url = reverse("tickets:list")
    assert _queries(agent_client, f"{url}?per_page=10") == _queries(agent_client, f"{url}?per_page=100")


def test_list_query_count_does_not_grow_with_the_number_of_tickets(agent_client, agent, queue):
    url = reverse("tickets:list") + "?per_page=100"
    _make_tickets(3, queue=queue, agent=agent)
    few = _queries(agent_client, url)
    _make_tickets(40, queue=queue, agent=agent)
    many = _queries(agent_client, url)
    assert few == many


def test_filtered_and_searched_list_query_count_stays_flat(agent_client, agent, queue):
    url = reverse("tickets:list") + "?q=jams&status=new&status=open&tag=printer&ordering=-priority&per_page=100"
    _make_tickets(3, queue=queue, agent=agent)
    few = _queries(agent_client, url)
    _make_tickets(30, queue=queue, agent=agent)
    many = _queries(agent_client, url)
    assert few == many


def test_list_page_stays_within_its_query_budget(agent_client, agent, queue, django_assert_max_num_queries):
    _make_tickets(25, queue=queue, agent=agent)
    # session, user, role, counts, capped count, rows, tags, filter choices (queues, staff, tags) and the
    # navigation of the other apps: a fixed handful, never one per row.
    with django_assert_max_num_queries(20):
        agent_client.get(reverse("tickets:list") + "?per_page=100")


def test_counts_of_every_view_come_from_one_query(agent, queue, django_assert_num_queries):
    _make_tickets(6, queue=queue, agent=agent)
    agent.refresh_from_db()
    agent._delightdesk_role = "agent"  # role lookup is memoised per request; count only the aggregate
    with django_assert_num_queries(1):
        counts = view_counts(agent)
    assert counts == {"my": 3, "unassigned": 3, "team": 6}


def test_htmx_list_request_answers_only_the_results_partial(agent_client, agent, queue):
    _make_tickets(2, queue=queue, agent=agent)
    response = agent_client.get(reverse("tickets:list") + "?q=jam", HTTP_HX_REQUEST="true",
                                HTTP_HX_TARGET="ticket-results")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ticket-results"')
    assert "<nav" not in body.split("ticket-results", 1)[0]
    assert "Printer jam" in body
