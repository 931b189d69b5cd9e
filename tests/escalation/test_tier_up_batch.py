"""Escalations not acknowledged in time move up a tier together: one candidates query for the batch,
a query count that does not grow with the number of overdue acknowledgements."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, EscalationEvent, Notification, Remedy, Trigger
from escalation.services.tier_up import escalations_tier_up_many
from tests.escalation import factories as esc
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
RAISED = timezone.now().replace(microsecond=0) - timedelta(hours=2)
LATER = RAISED + timedelta(minutes=31)  # the manual rule's 30 minutes (around the clock: `on_shift`) are over
E = EscalationEvent.Kind


@pytest.fixture
def manager(queue):
    manager = esc.user_with_role("supervisor", first_name="Queue", last_name="Manager")
    queue.manager = manager
    queue.save()
    return manager


def raise_overdue(queue, customer, n) -> list[Escalation]:
    tickets = Ticket.objects.bulk_create(
        [Ticket(subject=f"t{i}", description="x", customer=customer, queue=queue, created_at=RAISED)
         for i in range(n)])
    escalations = []
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]).select_related("queue"):
        escalation, _created = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, reason_text="help",
                                                         now=RAISED)
        escalations.append(escalation)
    assert all(e.ack_due_at is not None and e.ack_due_at <= LATER for e in escalations)
    return escalations


def tier_up_queries(escalations) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        assert escalations_tier_up_many(escalation_ids=[e.pk for e in escalations], now=LATER) == len(escalations)
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_the_batch_query_count_is_flat_as_overdue_acknowledgements_grow(on_shift, queue, customer, supervisor,
                                                                         manager, caplog):
    counts = []
    for n in (1, 5, 20):
        Escalation.objects.all().delete()
        escalations = raise_overdue(queue, customer, n)
        count, _sql = tier_up_queries(escalations)
        counts.append(count)
        assert Escalation.objects.filter(assigned_to=manager, level=Escalation.Level.MANAGER).count() == n
    assert counts[0] == counts[1] == counts[2], counts
    assert not [r for r in caplog.records if "tier-up" in r.getMessage()]  # no fallback to one by one


def test_one_candidates_query_routes_the_whole_batch(on_shift, queue, customer, supervisor, manager):
    _count, sql = tier_up_queries(raise_overdue(queue, customer, 5))
    user_reads = [s for s in sql if s.lstrip().upper().startswith("SELECT") and 'FROM "auth_user"' in s]
    assert len(user_reads) == 1


def test_each_escalation_moves_up_with_its_history_and_a_notification(on_shift, queue, customer, supervisor,
                                                                       manager):
    escalations = raise_overdue(queue, customer, 3)
    tier_up_queries(escalations)
    for escalation in Escalation.objects.filter(pk__in=[e.pk for e in escalations]):
        assert (escalation.assigned_to, escalation.level) == (manager, Escalation.Level.MANAGER)
        assert escalation.ack_due_at == LATER + timedelta(minutes=30)
        assert escalation.routing_explanation.startswith("Not acknowledged in time by ")
        tier_up = escalation.events.get(kind=E.TIER_UP)
        assert tier_up.note_display == escalation.routing_explanation
        assert tier_up.seconds_since_raised == 31 * 60
        assert Notification.objects.filter(escalation=escalation, recipient=manager,
                                           kind=Notification.Kind.ROUTED).count() == 1


def test_the_batch_moves_as_one_by_one_tier_ups_would(on_shift, queue, customer, supervisor, manager):
    def outcome(escalation):
        escalation.refresh_from_db()
        return (escalation.assigned_to_id, escalation.level, escalation.ack_due_at, escalation.routing_explanation,
                list(escalation.events.values_list("kind", "note", "seconds_since_raised")))

    esc.supervisor_of(queue.team)
    one_by_one = raise_overdue(queue, customer, 3)
    for escalation in one_by_one:
        services.escalation_tier_up(escalation_id=escalation.pk, now=LATER)
    expected = [outcome(e) for e in one_by_one]
    Escalation.objects.all().delete()
    batch = raise_overdue(queue, customer, 3)
    tier_up_queries(batch)
    assert [outcome(e) for e in batch] == expected


def test_a_batch_is_spread_over_the_next_tier_by_load(on_shift, queue, customer, supervisor, admin_user):
    other_admin = esc.user_with_role("admin")
    escalations = raise_overdue(queue, customer, 4)  # the queue has no manager: the next tier is the admins
    tier_up_queries(escalations)
    handlers = list(Escalation.objects.values_list("assigned_to_id", flat=True))
    assert sorted(handlers.count(u.pk) for u in (admin_user, other_admin)) == [2, 2]
    assert set(Escalation.objects.values_list("level", flat=True)) == {Escalation.Level.ADMIN}


def test_nobody_higher_keeps_the_handler_and_stops_the_clock(on_shift, queue, customer, supervisor):
    [escalation] = raise_overdue(queue, customer, 1)  # no manager, no admin
    tier_up_queries([escalation])
    escalation.refresh_from_db()
    assert (escalation.assigned_to, escalation.level, escalation.ack_due_at) == (
        supervisor, Escalation.Level.TEAM, None)
    assert "nobody higher is available" in escalation.events.get(kind=E.TIER_UP).note_display
    assert not Notification.objects.filter(escalation=escalation, kind=Notification.Kind.ROUTED).exclude(
        recipient=supervisor).exists()


def test_a_remedy_proposer_is_never_asked(on_shift, queue, customer, supervisor, admin_user):
    proposer = esc.user_with_role("admin", first_name="Proposer")
    [escalation] = raise_overdue(queue, customer, 1)
    Remedy.objects.create(ticket=escalation.ticket, kind="refund", amount=10, proposed_by=proposer,
                          state=Remedy.State.PENDING, escalation=escalation)
    tier_up_queries([escalation])
    escalation.refresh_from_db()
    assert escalation.assigned_to == admin_user


def test_acknowledged_or_already_moved_escalations_are_left_alone(on_shift, queue, customer, supervisor, manager):
    first, second = raise_overdue(queue, customer, 2)
    services.escalation_acknowledge(escalation=first, actor=supervisor)
    assert escalations_tier_up_many(escalation_ids=[first.pk, second.pk], now=LATER) == 1
    assert escalations_tier_up_many(escalation_ids=[first.pk, second.pk], now=LATER) == 0
    assert EscalationEvent.objects.filter(kind=E.TIER_UP).count() == 1
    first.refresh_from_db()
    assert first.assigned_to == supervisor


def test_an_escalation_not_yet_overdue_does_not_move(on_shift, queue, customer, supervisor, manager):
    [escalation] = raise_overdue(queue, customer, 1)
    assert escalations_tier_up_many(escalation_ids=[escalation.pk], now=RAISED + timedelta(minutes=29)) == 0
    escalation.refresh_from_db()
    assert escalation.assigned_to == supervisor


def test_nothing_to_move_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert escalations_tier_up_many(escalation_ids=[], now=LATER) == 0


def sweep_queries(now) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.sla_sweep(now=now)
    return len(queries)


def test_the_sweeps_query_count_is_flat_as_overdue_acknowledgements_grow(on_shift, queue, customer, supervisor,
                                                                         manager):
    counts = []
    for n in (1, 5, 20):
        Escalation.objects.all().delete()
        raise_overdue(queue, customer, n)
        counts.append(sweep_queries(LATER))
        assert Escalation.objects.filter(level=Escalation.Level.MANAGER).count() == n
    assert counts[0] == counts[1] == counts[2], counts
