"""Routing: the team's available, least-loaded supervisor -> the queue's manager -> any admin; tier-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, EscalationEvent, Trigger
from escalation.services import routing
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db


def raise_manual(ticket, actor=None):
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=actor,
                                              reason_code=Escalation.Reason.NEEDS_AUTHORITY, reason_text="help")
    return escalation


def test_least_loaded_available_supervisor_gets_it_and_the_reason_is_written(team, queue, on_shift, customer):
    busy = esc.supervisor_of(team, first_name="Busy", last_name="Bee")
    free = esc.supervisor_of(team, first_name="Mari", last_name="Tamm")
    first = raise_manual(esc.TicketFactory(queue=queue, customer=customer))
    Escalation.objects.filter(pk=first.pk).update(assigned_to=busy)
    escalation = raise_manual(esc.TicketFactory(queue=queue, customer=customer))
    assert escalation.assigned_to == free
    assert escalation.level == Escalation.Level.TEAM
    assert "Mari Tamm" in escalation.routing_explanation
    assert "0 open escalations" in escalation.routing_explanation
    assert "Busy Bee has 1 open escalation" in escalation.routing_explanation


def test_away_supervisor_is_skipped_and_named(team, queue, on_shift, ticket):
    jaan = esc.supervisor_of(team, first_name="Jaan", last_name="Away")
    mari = esc.supervisor_of(team, first_name="Mari", last_name="Here")
    esc.away(jaan)
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == mari
    assert "Jaan Away away" in escalation.routing_explanation


def test_away_supervisors_fall_back_to_the_queue_manager(team, queue, on_shift, ticket, supervisor):
    esc.away(supervisor)
    manager = esc.user_with_role("supervisor", first_name="Queue", last_name="Manager")
    queue.manager = manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == manager
    assert escalation.level == Escalation.Level.MANAGER
    assert "away" in escalation.routing_explanation


def test_an_away_manager_falls_through_to_an_available_admin(team, queue, on_shift, ticket, supervisor, admin_user):
    esc.away(supervisor)
    manager = esc.user_with_role("supervisor", first_name="Queue", last_name="Manager")
    esc.away(manager)
    queue.manager = manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert (escalation.assigned_to, escalation.level) == (admin_user, Escalation.Level.ADMIN)
    assert "Queue Manager away" in escalation.routing_explanation


def test_an_away_admin_is_skipped_for_an_available_one(queue, on_shift, ticket):
    away_admin = esc.user_with_role("admin", first_name="Aaron", last_name="Away")
    esc.away(away_admin)
    present = esc.user_with_role("admin", first_name="Zoe", last_name="Present")
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == present
    assert "Aaron Away away" in escalation.routing_explanation


def test_off_shift_the_least_loaded_of_the_whole_chain_gets_it_and_it_is_said(team, queue, ticket, customer):
    esc.never_open_calendar(team)
    busy_sup = esc.supervisor_of(team, first_name="Busy", last_name="Sup")
    manager = esc.user_with_role("supervisor", first_name="Queue", last_name="Manager")
    busy_admin = esc.user_with_role("admin", first_name="Busy", last_name="Admin")
    queue.manager = manager
    queue.save()
    for handler in (busy_sup, busy_admin):
        earlier = raise_manual(esc.TicketFactory(queue=queue, customer=customer))
        Escalation.objects.filter(pk=earlier.pk).update(assigned_to=handler)
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert (escalation.assigned_to, escalation.level) == (manager, Escalation.Level.MANAGER)
    assert escalation.routing_explanation.startswith("Nobody on shift: routed to Queue Manager, least loaded")
    assert "Busy Sup off shift" in escalation.routing_explanation
    assert "Busy Admin off shift" in escalation.routing_explanation


def test_when_nobody_is_available_someone_present_beats_someone_away(team, queue, ticket, supervisor):
    esc.never_open_calendar(team)
    away_manager = esc.user_with_role("supervisor", first_name="Aaa", last_name="Away")
    esc.away(away_manager)
    queue.manager = away_manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == supervisor


def test_with_nobody_eligible_in_the_chain_it_stays_unassigned_and_says_so(team, queue, on_shift, ticket):
    own = esc.supervisor_of(team)
    from tickets import services as ticket_services

    ticket_services.ticket_assign(ticket=ticket, assignee=own, actor=own)
    escalation = raise_manual(ticket, actor=own)
    assert escalation.assigned_to is None
    assert escalation.ack_due_at is None
    assert "left unassigned" in escalation.routing_explanation


def test_candidates_and_their_loads_are_one_query_however_many_people(team, queue, customer, admin_user,
                                                                      django_assert_num_queries):
    for raised, n in enumerate((1, 6), start=1):
        supervisors = [esc.supervisor_of(team) for _ in range(n)]
        raise_manual(esc.TicketFactory(queue=queue, customer=customer))
        with django_assert_num_queries(1):
            candidates = routing.load_candidates(team_ids=[team.pk], manager_ids=[])
        assert {u.pk for u in candidates.supervisors(team.pk)} >= {u.pk for u in supervisors}
        assert candidates.admin_ids == [admin_user.pk]
        assert sum(candidates.loads.values()) == raised


def test_without_supervisors_or_manager_an_admin_gets_it(queue, ticket, admin_user):
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == admin_user
    assert escalation.level == Escalation.Level.ADMIN
    assert "no supervisors" in escalation.routing_explanation
    assert "no manager" in escalation.routing_explanation


def test_nobody_handles_an_escalation_of_their_own_ticket(team, queue, on_shift, ticket):
    own = esc.supervisor_of(team, first_name="Own", last_name="Ticket")
    other = esc.supervisor_of(team, first_name="Other", last_name="One")
    from tickets import services as ticket_services

    ticket_services.ticket_assign(ticket=ticket, assignee=own, actor=own)
    escalation = raise_manual(ticket, actor=own)
    assert escalation.assigned_to == other
    assert "not eligible" in escalation.routing_explanation


def test_unacknowledged_escalation_moves_up_a_tier_and_says_so(team, queue, on_shift, ticket, supervisor):
    manager = esc.user_with_role("supervisor", first_name="Queue", last_name="Manager")
    queue.manager = manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert escalation.assigned_to == supervisor
    later = escalation.ack_due_at + timedelta(seconds=1)
    services.sla_sweep(now=later)
    escalation.refresh_from_db()
    assert escalation.assigned_to == manager
    assert escalation.level == Escalation.Level.MANAGER
    assert "Not acknowledged in time" in escalation.routing_explanation
    assert escalation.events.filter(kind=EscalationEvent.Kind.TIER_UP).count() == 1


def test_tier_up_from_manager_goes_to_an_admin(team, queue, on_shift, ticket, admin_user):
    manager = esc.user_with_role("supervisor")
    queue.manager = manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket)
    assert escalation.level == Escalation.Level.MANAGER
    services.escalation_tier_up(escalation_id=escalation.pk, now=escalation.ack_due_at + timedelta(minutes=1))
    escalation.refresh_from_db()
    assert (escalation.assigned_to, escalation.level) == (admin_user, Escalation.Level.ADMIN)


def test_acknowledged_escalation_does_not_tier_up(team, queue, on_shift, ticket, supervisor):
    escalation = raise_manual(ticket)
    services.escalation_acknowledge(escalation=escalation, actor=supervisor)
    services.sla_sweep(now=timezone.now() + timedelta(days=1))
    escalation.refresh_from_db()
    assert escalation.assigned_to == supervisor
    assert not escalation.events.filter(kind=EscalationEvent.Kind.TIER_UP).exists()
