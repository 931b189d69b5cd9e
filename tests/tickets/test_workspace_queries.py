"""The ticket page costs the same number of queries however long the conversation is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Macro

pytestmark = pytest.mark.django_db


def _grow(ticket, agent, n):
    for i in range(n):
        services.message_add(ticket=ticket, body=f"Customer says {i}", author_customer=ticket.customer)
        services.message_add(ticket=ticket, body=f"Note {i}", kind="note", author_user=agent)
        services.ticket_update(ticket=ticket, actor=agent, priority="high" if i % 2 else "low",
                               tags=[f"t{i}"])
        factories.TicketFactory(queue=ticket.queue, customer=ticket.customer)
        Macro.objects.create(name=f"Macro {i}", body="Hi {customer_name}")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_ticket_page_query_count_does_not_grow_with_the_timeline(client, agent, ticket):
    client.force_login(agent)
    url = reverse("tickets:detail", args=[ticket.reference])
    _grow(ticket, agent, 1)
    short = _count(client, url)
    _grow(ticket, agent, 8)
    long = _count(client, url)
    assert short == long


def test_ticket_page_stays_within_its_query_budget(client, agent, ticket, django_assert_max_num_queries):
    client.force_login(agent)
    _grow(ticket, agent, 3)
    with django_assert_max_num_queries(30):
        client.get(reverse("tickets:detail", args=[ticket.reference]))


def test_ticket_page_loads_each_option_list_once(client, agent, ticket):
    """Canned replies, queues and the team's staff are read once and shared by the forms (no COUNT,
    no second SELECT when a select is drawn), and "Take it" is decided from the staff already read."""
    client.force_login(agent)
    _grow(ticket, agent, 2)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("tickets:detail", args=[ticket.reference]))
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "tickets_macro"' in s for s in sql) == 1
    assert sum('FROM "tickets_queue"' in s and "tickets_ticket" not in s for s in sql) == 1
    assert sum('"tickets_membership"."team_id" =' in s and "auth_user" not in s for s in sql) == 0


def test_templates_are_compiled_once_and_cached(settings):
    from django.template import engines
    from django.template.loaders.cached import Loader

    assert not settings.DEBUG
    assert isinstance(engines["django"].engine.template_loaders[0], Loader)
