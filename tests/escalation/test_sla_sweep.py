"""The beat task stays cheap: its query count follows what is due, never the number of open tickets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, TicketSla
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def open_tickets(queue, customer, n):
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [Ticket(subject=f"t{i}", description="x", customer=customer, queue=queue, created_at=now) for i in range(n)]
    )
    TicketSla.objects.bulk_create(
        [TicketSla(ticket=t, first_response_due=now + timedelta(hours=4), fr_breach_at=now + timedelta(hours=4),
                   fr_warning_at=now + timedelta(hours=3), res_breach_at=now + timedelta(hours=16),
                   res_warning_at=now + timedelta(hours=12)) for t in tickets]
    )
    return tickets


def sweep_queries(now) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.sla_sweep(now=now)
    return len(queries)


def make_one_due(tickets, now):
    TicketSla.objects.filter(ticket=tickets[0]).update(fr_breach_at=now - timedelta(minutes=1),
                                                       fr_warning_at=now - timedelta(minutes=30))


@pytest.mark.parametrize("due", [False, True], ids=["nothing-due", "one-due"])
def test_sweep_query_count_is_flat_from_5_to_50_open_tickets(on_shift, team, queue, customer, supervisor, agent,
                                                             due):
    now = timezone.now()
    counts = []
    for n in (5, 50):
        Escalation.objects.all().delete()
        TicketSla.objects.all().delete()
        Ticket.objects.all().delete()
        tickets = open_tickets(queue, customer, n)
        Ticket.objects.filter(pk=tickets[0].pk).update(assignee=agent)
        if due:
            make_one_due(tickets, now)
        counts.append(sweep_queries(now))
    assert counts[0] == counts[1]
    assert Escalation.objects.count() == (1 if due else 0)


def test_sweep_with_nothing_due_is_a_handful_of_queries(queue, customer):
    open_tickets(queue, customer, 20)
    assert sweep_queries(timezone.now()) <= 6


@pytest.mark.postgres
def test_due_selection_uses_the_partial_index_on_postgres(queue, customer):
    open_tickets(queue, customer, 50)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        due = TicketSla.objects.filter(fr_breach_at__lte=timezone.now()).values("ticket_id")
        sql, params = due.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "sla_fr_breach_idx" in plan
