"""The two status seams other apps build on: one inside the changing transaction, one after commit."""

import pytest
from django.db import transaction

from tests.factories import TicketFactory
from tickets import events, services
from tickets.models import Ticket

S = Ticket.Status


@pytest.fixture
def received():
    calls: list[tuple[str, dict]] = []

    def changing(sender, **payload):
        calls.append(("changing", payload))

    def changed(sender, **payload):
        calls.append(("changed", payload))

    events.ticket_statuses_changing.connect(changing, dispatch_uid="test.changing")
    events.ticket_status_changed.connect(changed, dispatch_uid="test.changed")
    yield calls
    events.ticket_statuses_changing.disconnect(dispatch_uid="test.changing")
    events.ticket_status_changed.disconnect(dispatch_uid="test.changed")


def test_status_changing_is_sent_inside_the_transaction_with_the_no_follow_up_reason(ticket, agent, received):
    with transaction.atomic():
        services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent, no_follow_up_reason="spam")
        assert [name for name, _ in received] == ["changing"]
    payload = received[0][1]
    assert payload["changes"] == (events.StatusChange(ticket_id=ticket.pk, from_status=S.NEW, to_status=S.RESOLVED,
                                                      no_follow_up_reason="spam"),)


def test_status_changed_is_sent_after_commit_for_a_move_to_pending(ticket, agent, received,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
    changed = [payload for name, payload in received if name == "changed"]
    assert [(p["from_status"], p["to_status"], p["actor_id"]) for p in changed] == [(S.NEW, S.PENDING, agent.pk)]


def test_status_changed_is_not_sent_when_the_transaction_rolls_back(ticket, agent, received,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
        raise RuntimeError("rolled back")
    assert [name for name, _ in received] == ["changing"]


def test_reopening_is_flagged_inside_the_transaction(ticket, agent, received):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.OPEN, actor=agent)
    name, payload = received[-1]
    assert name == "changing" and payload["changes"][0].reopening is True


def test_nothing_is_sent_while_events_are_muted(ticket, agent, received):
    with events.muted():
        services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
    assert received == []


def test_a_many_ticket_change_is_sent_once_inside_the_transaction_with_every_ticket(agent, received, queue):
    first, second = TicketFactory(queue=queue), TicketFactory(queue=queue)
    with transaction.atomic():
        services.tickets_transition(ticket_ids=[second.pk, first.pk], to_status=S.RESOLVED, actor=agent)
        assert [name for name, _ in received] == ["changing"]
    assert {change.ticket_id for change in received[0][1]["changes"]} == {first.pk, second.pk}


def test_a_many_ticket_change_sends_status_changed_per_ticket_after_commit(agent, received, queue,
        django_capture_on_commit_callbacks):
    first, second = TicketFactory(queue=queue), TicketFactory(queue=queue)
    with django_capture_on_commit_callbacks(execute=True):
        services.tickets_transition(ticket_ids=[first.pk, second.pk], to_status=S.PENDING, actor=agent)
    changed = sorted(payload["ticket_id"] for name, payload in received if name == "changed")
    assert changed == sorted([first.pk, second.pk])
