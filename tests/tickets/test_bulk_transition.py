"""Many tickets at once (`tickets_transition`): the same life cycle as one, written set-wise."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tickets import events, services
from tickets.models import Ticket, TicketEvent

S = Ticket.Status


def tickets(queue, count: int) -> list[Ticket]:
    return [factories.TicketFactory(queue=queue) for _ in range(count)]


def test_resolving_many_moves_each_ticket_stamps_it_and_bumps_its_version(queue, agent):
    batch = tickets(queue, 3)
    outcome = services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.RESOLVED, actor=agent)
    assert sorted(outcome.changed) == sorted(t.pk for t in batch) and outcome.unchanged == []
    for before in batch:
        after = Ticket.objects.get(pk=before.pk)
        assert (after.status, after.version) == (S.RESOLVED, before.version + 1)
        assert after.resolved_at is not None


def test_resolving_many_records_one_event_per_ticket_with_the_actor_and_reason(queue, agent):
    batch = tickets(queue, 2)
    services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.RESOLVED, actor=agent,
                                reason="Outage fixed")
    recorded = TicketEvent.objects.filter(ticket__in=batch, kind=TicketEvent.Kind.STATUS)
    assert sorted((e.ticket_id, e.from_value, e.to_value, e.actor_id, e.reason) for e in recorded) == sorted(
        (t.pk, S.NEW, S.RESOLVED, agent.pk, "Outage fixed") for t in batch
    )


def test_tickets_whose_status_does_not_allow_the_change_are_left_alone_and_reported(queue, agent):
    open_ticket, done = tickets(queue, 2)
    services.ticket_transition(ticket=done, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=done, to_status=S.CLOSED, actor=agent)
    outcome = services.tickets_transition(ticket_ids=[open_ticket.pk, done.pk, 987654], to_status=S.RESOLVED,
                                          actor=agent)
    assert outcome.changed == [open_ticket.pk] and outcome.unchanged == [done.pk, 987654]
    assert Ticket.objects.get(pk=done.pk).status == S.CLOSED


def test_reopening_many_counts_the_reopen_and_clears_resolved_at(queue, agent):
    batch = tickets(queue, 2)
    services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.RESOLVED, actor=agent)
    services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.OPEN, actor=agent)
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in batch]):
        assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == (S.OPEN, 1, None)
    assert TicketEvent.objects.filter(ticket__in=batch, kind=TicketEvent.Kind.REOPENED).count() == 2


def test_a_mixed_selection_moves_each_ticket_from_its_own_status(queue, agent):
    new, pending = tickets(queue, 2)
    services.ticket_transition(ticket=pending, to_status=S.PENDING, actor=agent)
    services.tickets_transition(ticket_ids=[new.pk, pending.pk], to_status=S.OPEN, actor=agent)
    events_by_ticket = dict(TicketEvent.objects.filter(to_value=S.OPEN).values_list("ticket_id", "from_value"))
    assert events_by_ticket == {new.pk: S.NEW, pending.pk: S.PENDING}
    assert Ticket.objects.get(pk=pending.pk).reopen_count == 0  # waking a pending ticket is not a reopen


def test_an_id_given_twice_is_changed_once(queue, agent):
    [ticket] = tickets(queue, 1)
    outcome = services.tickets_transition(ticket_ids=[ticket.pk, ticket.pk], to_status=S.RESOLVED, actor=agent)
    assert outcome.changed == [ticket.pk]
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS).count() == 1


def test_the_query_count_does_not_grow_with_the_number_of_tickets(queue, agent):
    counts = []
    for size in (2, 12):
        batch = [t.pk for t in tickets(queue, size)]
        with CaptureQueriesContext(connection) as captured:
            services.tickets_transition(ticket_ids=batch, to_status=S.RESOLVED, actor=agent)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_nothing_is_announced_while_events_are_muted(queue, agent):
    [ticket] = tickets(queue, 1)
    received = []

    def changing(sender, **payload):
        received.append(payload)

    events.ticket_statuses_changing.connect(changing, dispatch_uid="test.bulk.changing")
    try:
        with events.muted():
            services.tickets_transition(ticket_ids=[ticket.pk], to_status=S.RESOLVED, actor=agent)
    finally:
        events.ticket_statuses_changing.disconnect(dispatch_uid="test.bulk.changing")
    assert received == [] and Ticket.objects.get(pk=ticket.pk).status == S.RESOLVED

