"""The ticket life cycle (tickets/services/lifecycle.py): every pair of the table, side effects, events."""

import itertools

import pytest
from django.db import transaction

from tests import factories
from tickets import events, services
from tickets.exceptions import IllegalTransition, TicketClosed
from tickets.models import Message, Ticket, TicketEvent

S = Ticket.Status

# The table as the issue states it: new -> open -> pending -> resolved -> closed, reopen from resolved.
LEGAL = {
    (S.NEW, S.OPEN), (S.NEW, S.PENDING), (S.NEW, S.RESOLVED),
    (S.OPEN, S.PENDING), (S.OPEN, S.RESOLVED),
    (S.PENDING, S.OPEN), (S.PENDING, S.RESOLVED),
    (S.RESOLVED, S.OPEN), (S.RESOLVED, S.CLOSED),
}
ALL_PAIRS = list(itertools.product(S.values, S.values))
PATH_TO = {S.NEW: [], S.OPEN: [S.OPEN], S.PENDING: [S.PENDING], S.RESOLVED: [S.RESOLVED],
           S.CLOSED: [S.RESOLVED, S.CLOSED]}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


def ticket_in(status, queue, actor=None) -> Ticket:
    ticket = factories.TicketFactory(queue=queue)
    for step in PATH_TO[status]:
        services.ticket_transition(ticket=ticket, to_status=step, actor=actor)
    ticket.refresh_from_db()
    assert ticket.status == status
    return ticket


class Received:
    """Collects what a signal delivered (connect for the duration of a test)."""

    def __init__(self, signal):
        self.signal, self.calls = signal, []

    def __call__(self, sender, signal, **payload):
        self.calls.append(payload)

    def __enter__(self):
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self)


def test_the_table_is_exactly_the_documented_life_cycle():
    table = {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets}
    assert table == LEGAL


@pytest.mark.parametrize(("from_status", "to_status"), sorted(LEGAL))
def test_legal_transition_moves_the_ticket_and_records_it(from_status, to_status, queue, agent):
    ticket = ticket_in(from_status, queue, agent)
    version = ticket.version
    services.ticket_transition(ticket=ticket, to_status=to_status, actor=agent, reason="because")
    ticket.refresh_from_db()
    assert ticket.status == to_status
    assert ticket.version == version + 1
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.from_value, event.to_value, event.actor, event.reason) == (from_status, to_status, agent, "because")


@pytest.mark.parametrize(("from_status", "to_status"), sorted(set(ALL_PAIRS) - LEGAL))
def test_illegal_transition_is_refused_and_changes_nothing(from_status, to_status, queue, agent):
    ticket = ticket_in(from_status, queue, agent)
    before = (ticket.status, ticket.version, TicketEvent.objects.filter(ticket=ticket).count())
    with pytest.raises(IllegalTransition) as refused:
        services.ticket_transition(ticket=ticket, to_status=to_status, actor=agent)
    assert refused.value.code == "illegal_transition"
    assert refused.value.detail == (
        f"A ticket cannot go from {S(from_status).label} to {S(to_status).label}."
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, TicketEvent.objects.filter(ticket=ticket).count()) == before


def test_unknown_target_status_is_refused_with_a_message(ticket, agent):
    with pytest.raises(IllegalTransition) as refused:
        services.ticket_transition(ticket=ticket, to_status="archived", actor=agent)
    assert refused.value.detail == "A ticket cannot go from New to archived."


@pytest.mark.parametrize("status", S.values)
def test_allowed_transitions_follow_the_table_in_life_cycle_order(status, queue, agent):
    ticket = ticket_in(status, queue, agent)
    expected = [s for s in S.values if (status, s) in LEGAL]
    assert services.allowed_transitions(ticket) == expected


def test_resolving_stamps_resolved_at(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.closed_at is None


def test_closing_stamps_closed_at_and_keeps_resolved_at(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None and ticket.resolved_at is not None


def test_agent_reopening_counts_the_reopen_and_clears_resolved_at(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.OPEN, actor=agent)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == (S.OPEN, 1, None)
    assert TicketEvent.objects.filter(ticket=ticket).last().kind == TicketEvent.Kind.REOPENED


def test_waking_a_pending_ticket_is_not_a_reopen(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.OPEN, actor=agent)
    ticket.refresh_from_db()
    assert ticket.reopen_count == 0
    assert TicketEvent.objects.filter(ticket=ticket).last().kind == TicketEvent.Kind.STATUS


def test_backdated_transition_uses_the_given_time(ticket, agent):
    from datetime import timedelta

    from django.utils import timezone

    at = timezone.now() - timedelta(days=3)
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent, at=at)
    ticket.refresh_from_db()
    assert ticket.resolved_at == at
    assert TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.STATUS).created_at == at


def test_moving_a_ticket_to_another_team_unassigns_an_assignee_outside_it(ticket, agent):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    other_team_queue = factories.QueueFactory()
    services.ticket_update(ticket=ticket, actor=agent, queue=other_team_queue)
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.assignee) == (other_team_queue, None)
    assert TicketEvent.objects.filter(ticket=ticket).last().kind == TicketEvent.Kind.ASSIGNEE


def test_moving_a_ticket_within_the_team_keeps_the_assignee(ticket, agent):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.ticket_update(ticket=ticket, actor=agent, queue=factories.QueueFactory(team=ticket.queue.team))
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_moving_a_ticket_with_a_new_assignee_of_the_new_team_assigns_them(ticket, agent):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    other_queue = factories.QueueFactory()
    newcomer = factories.agent_in(other_queue.team)
    services.ticket_update(ticket=ticket, actor=agent, queue=other_queue, assignee=newcomer)
    ticket.refresh_from_db()
    assert ticket.assignee == newcomer


# --- messages move the ticket along -----------------------------------------------------------------


def test_customer_reply_reopens_a_resolved_ticket(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.message_add(ticket=ticket, body="Broken again", author_customer=ticket.customer)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (S.OPEN, 1)


def test_customer_reply_wakes_a_pending_ticket(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
    services.message_add(ticket=ticket, body="Here is the info", author_customer=ticket.customer)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (S.OPEN, 0)


def test_customer_reply_reopens_even_when_the_callers_copy_is_stale(ticket, agent):
    stale_copy = Ticket.objects.get(pk=ticket.pk)
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.message_add(ticket=stale_copy, body="Still broken", author_customer=ticket.customer)
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN


def test_staff_first_reply_opens_a_new_ticket_and_stamps_first_response(ticket, agent):
    services.message_add(ticket=ticket, body="Looking into it", author_user=agent)
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert ticket.first_response_at is not None


def test_internal_note_neither_opens_nor_counts_as_first_response(ticket, agent):
    services.message_add(ticket=ticket, body="hmm", kind=Message.Kind.NOTE, author_user=agent)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (S.NEW, None)


def test_note_without_a_staff_author_is_refused(ticket):
    with pytest.raises(Exception, match="Only staff"):
        services.message_add(ticket=ticket, body="x", kind=Message.Kind.NOTE, author_customer=ticket.customer)
    assert not Message.objects.exists()


def test_closed_ticket_refuses_messages_and_changes(ticket, agent):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    with pytest.raises(TicketClosed):
        services.message_add(ticket=ticket, body="hello?", author_customer=ticket.customer)
    with pytest.raises(TicketClosed):
        services.ticket_update(ticket=ticket, actor=agent, priority="high")


def test_closed_ticket_refuses_messages_even_when_the_callers_copy_is_stale(ticket, agent):
    stale_copy = Ticket.objects.get(pk=ticket.pk)
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    with pytest.raises(TicketClosed):
        services.message_add(ticket=stale_copy, body="late reply", author_customer=ticket.customer)
    assert not Message.objects.exists()


# --- events: after commit, never on rollback ----------------------------------------------------------


@pytest.mark.parametrize(("path", "signal_name", "expected"), [
    ([S.RESOLVED, S.OPEN], "ticket_reopened", {}),
    ([S.RESOLVED, S.CLOSED], "ticket_closed", {"automatic": False}),
])
def test_transition_publishes_its_event_only_when_the_transaction_commits(
    path, signal_name, expected, ticket, agent, django_capture_on_commit_callbacks
):
    with Received(getattr(events, signal_name)) as received:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            for step in path:
                services.ticket_transition(ticket=ticket, to_status=step, actor=agent)
        assert received.calls == []  # nothing before commit
        for callback in callbacks:
            callback()
    assert received.calls == [{"ticket_id": ticket.pk, "actor_id": agent.pk, **expected}]


def test_closing_without_an_actor_is_published_as_automatic(ticket, agent, django_capture_on_commit_callbacks):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    with Received(events.ticket_closed) as received, django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=None)
    assert received.calls == [{"ticket_id": ticket.pk, "actor_id": None, "automatic": True}]


def test_assigning_publishes_ticket_assigned(ticket, agent, django_capture_on_commit_callbacks):
    with Received(events.ticket_assigned) as received, django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    assert received.calls == [{"ticket_id": ticket.pk, "actor_id": agent.pk, "assignee_id": agent.pk,
                               "previous_assignee_id": None}]


def test_assigning_the_same_person_again_publishes_nothing(ticket, agent, django_capture_on_commit_callbacks):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with Received(events.ticket_assigned) as received, django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    assert received.calls == []


def test_reply_publishes_message_added(ticket, agent, django_capture_on_commit_callbacks):
    with Received(events.message_added) as received, django_capture_on_commit_callbacks(execute=True):
        message = services.message_add(ticket=ticket, body="Hi", author_user=agent)
    assert received.calls == [{"ticket_id": ticket.pk, "message_id": message.pk, "is_public": True,
                               "from_customer": False}]


def test_customer_reply_to_a_resolved_ticket_publishes_reopened_and_message_added(
    ticket, agent, django_capture_on_commit_callbacks
):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    with Received(events.ticket_reopened) as reopened, Received(events.message_added) as added, \
            django_capture_on_commit_callbacks(execute=True):
        services.message_add(ticket=ticket, body="No", author_customer=ticket.customer)
    assert reopened.calls == [{"ticket_id": ticket.pk, "actor_id": None}]
    assert added.calls[0]["from_customer"] is True


def test_muted_history_publishes_nothing(ticket, agent, django_capture_on_commit_callbacks):
    with Received(events.ticket_status_changed) as received, django_capture_on_commit_callbacks(execute=True), \
            events.muted():
        services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    assert received.calls == []


@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_after_a_real_commit(queue, agent):
    ticket = factories.TicketFactory(queue=queue)
    with Received(events.ticket_status_changed) as received:
        with transaction.atomic():
            services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
            assert received.calls == []  # still inside the transaction
        assert len(received.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_events_are_not_delivered_when_the_transaction_rolls_back(queue, agent):
    ticket = factories.TicketFactory(queue=queue)
    with Received(events.ticket_status_changed) as resolved, Received(events.message_added) as added, \
            pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
        services.message_add(ticket=ticket, body="done", author_user=agent)
        raise RuntimeError("something later in the same transaction failed")
    assert resolved.calls == [] and added.calls == []
    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_update_publishes_nothing_from_its_earlier_steps(queue, agent):
    ticket = factories.TicketFactory(queue=queue)
    with Received(events.ticket_assigned) as assigned, pytest.raises(IllegalTransition):
        services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, assignee=agent,
                               status=S.CLOSED)
    assert assigned.calls == []
    ticket.refresh_from_db()
    assert ticket.assignee is None
