"""The beat task stays cheap: its query count follows what is due, never the number of open tickets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, EscalationEvent, Notification, TicketSla, Trigger
from tests.escalation import factories as esc
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def open_tickets(queue, customer, n):
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [Ticket(subject=f"t{i}", description="x", customer=customer, queue=queue, created_at=now) for i in range(n)]
    )
    TicketSla.objects.bulk_create(
        [TicketSla(ticket=t, first_response_due=now + timedelta(hours=4), fr_breach_at=now + timedelta(hours=4),
                   resolution_due=now + timedelta(hours=16),
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


def make_due(tickets, now, field="fr_breach_at"):
    TicketSla.objects.filter(ticket__in=tickets).update(**{field: now - timedelta(minutes=1)})


def test_sweep_query_count_does_not_grow_with_the_breaches_it_raises(on_shift, team, queue, customer, supervisor):
    esc.supervisor_of(team)
    now = timezone.now()
    counts = []
    for due in (1, 8):
        Escalation.objects.all().delete()
        TicketSla.objects.all().delete()
        Ticket.objects.all().delete()
        tickets = open_tickets(queue, customer, 10)
        make_due(tickets[:due], now)
        counts.append(sweep_queries(now))
        assert Escalation.objects.count() == due
    assert counts[0] == counts[1]


def test_a_batch_of_breaches_is_spread_over_the_supervisors_with_history_and_notifications(
        on_shift, team, queue, customer, supervisor):
    other = esc.supervisor_of(team)
    now = timezone.now()
    tickets = open_tickets(queue, customer, 5)
    make_due(tickets, now)
    services.sla_sweep(now=now)
    escalations = list(Escalation.objects.filter(ticket__in=tickets))
    assert len(escalations) == 5
    loads = sorted(sum(e.assigned_to_id == u.pk for e in escalations) for u in (supervisor, other))
    assert loads == [2, 3]
    for escalation in escalations:
        assert escalation.trigger == Trigger.SLA_FIRST_RESPONSE
        assert escalation.ack_due_at is not None
        assert list(escalation.events.values_list("kind", flat=True)) == [EscalationEvent.Kind.RAISED,
                                                                          EscalationEvent.Kind.ROUTED]
        assert Notification.objects.filter(escalation=escalation, recipient=escalation.assigned_to,
                                           kind=Notification.Kind.ROUTED).count() == 1


def test_a_breach_on_an_escalated_ticket_adds_to_its_history(on_shift, queue, customer, supervisor):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 2)
    first, _created = services.escalation_raise(ticket=tickets[0], trigger=Trigger.MANUAL, reason_text="help")
    make_due(tickets, now)
    services.sla_sweep(now=now)
    assert Escalation.objects.filter(ticket=tickets[0]).count() == 1
    assert first.events.filter(kind=EscalationEvent.Kind.FIRED_AGAIN, trigger=Trigger.SLA_FIRST_RESPONSE).count() == 1
    assert Escalation.objects.filter(ticket=tickets[1], trigger=Trigger.SLA_FIRST_RESPONSE).count() == 1


def test_a_second_sweep_raises_nothing_more(on_shift, queue, customer, supervisor):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 3)
    make_due(tickets, now)
    services.sla_sweep(now=now)
    services.sla_sweep(now=now + timedelta(minutes=1))
    assert Escalation.objects.count() == 3
    assert EscalationEvent.objects.filter(kind=EscalationEvent.Kind.FIRED_AGAIN).count() == 0


def test_warning_on_an_unassigned_ticket_notifies_the_team_supervisors_who_are_not_away(
        on_shift, team, queue, customer, supervisor):
    away = esc.supervisor_of(team)
    esc.away(away)
    now = timezone.now()
    tickets = open_tickets(queue, customer, 1)
    make_due(tickets, now, "fr_warning_at")
    services.sla_sweep(now=now)
    warnings = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING, ticket=tickets[0])
    assert list(warnings.values_list("recipient_id", flat=True)) == [supervisor.pk]


def test_warning_on_an_unassigned_ticket_goes_to_the_manager_when_every_supervisor_is_away(
        on_shift, team, queue, customer, supervisor):
    esc.away(supervisor)
    manager = esc.user_with_role("supervisor")
    queue.manager = manager
    queue.save()
    now = timezone.now()
    tickets = open_tickets(queue, customer, 1)
    make_due(tickets, now, "res_warning_at")
    services.sla_sweep(now=now)
    warnings = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING, ticket=tickets[0])
    assert list(warnings.values_list("recipient_id", flat=True)) == [manager.pk]


def test_warning_on_an_assigned_ticket_notifies_only_the_assignee(on_shift, team, queue, customer, supervisor, agent):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 1)
    Ticket.objects.filter(pk=tickets[0].pk).update(assignee=agent)
    make_due(tickets, now, "fr_warning_at")
    services.sla_sweep(now=now)
    warnings = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING, ticket=tickets[0])
    assert list(warnings.values_list("recipient_id", flat=True)) == [agent.pk]


def test_warning_query_count_is_flat_as_unassigned_warnings_grow(on_shift, team, queue, customer, supervisor):
    now = timezone.now()
    counts = []
    for due in (1, 6):
        TicketSla.objects.all().delete()
        Ticket.objects.all().delete()
        tickets = open_tickets(queue, customer, 8)
        make_due(tickets[:due], now, "fr_warning_at")
        counts.append(sweep_queries(now))
    assert counts[0] == counts[1]


def test_one_candidates_query_routes_every_kind_of_breach_of_a_sweep(on_shift, team, queue, customer, supervisor):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 3)
    make_due(tickets[:1], now, "fr_breach_at")
    make_due(tickets[1:2], now, "res_breach_at")
    make_due(tickets[2:], now, "complaint_at")
    with CaptureQueriesContext(connection) as queries:
        services.sla_sweep(now=now)
    user_reads = [q["sql"] for q in queries.captured_queries
                  if q["sql"].lstrip().upper().startswith("SELECT") and 'FROM "auth_user"' in q["sql"]]
    assert len(user_reads) == 1
    assert sorted(Escalation.objects.values_list("trigger", flat=True)) == sorted(
        [Trigger.SLA_FIRST_RESPONSE, Trigger.SLA_RESOLUTION, Trigger.COMPLAINT])


def test_two_breaches_of_one_ticket_in_one_sweep_open_one_escalation(on_shift, queue, customer, supervisor):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 1)
    make_due(tickets, now, "fr_breach_at")
    make_due(tickets, now, "res_breach_at")
    services.sla_sweep(now=now)
    escalation = Escalation.objects.get(ticket=tickets[0])
    assert escalation.trigger == Trigger.SLA_FIRST_RESPONSE
    again = escalation.events.get(kind=EscalationEvent.Kind.FIRED_AGAIN)
    assert again.trigger == Trigger.SLA_RESOLUTION
    sla = TicketSla.objects.get(ticket=tickets[0])
    assert (sla.first_response_breached, sla.resolution_breached) == (True, True)


def test_a_breach_of_a_ticket_resolved_meanwhile_raises_nothing(on_shift, queue, customer, supervisor):
    now = timezone.now()
    tickets = open_tickets(queue, customer, 1)
    make_due(tickets, now, "res_breach_at")
    Ticket.objects.filter(pk=tickets[0].pk).update(status=Ticket.Status.RESOLVED)
    services.sla_sweep(now=now)
    assert not Escalation.objects.exists()
