"""The two status seams other apps build on: one inside the changing transaction, one after commit."""

import pytest
from django.db import transaction

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

    events.ticket_status_changing.connect(changing, dispatch_uid="test.changing")
    events.ticket_status_changed.connect(changed, dispatch_uid="test.changed")
    yield calls
    events.ticket_status_changing.disconnect(dispatch_uid="test.changing")
    events.ticket_status_changed.disconnect(dispatch_uid="test.changed")


def test_status_changing_is_sent_inside_the_transaction_with_the_skip_reason(ticket, agent, received):
    with transaction.atomic():
        services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent, skip_survey_reason="spam")
        assert [name for name, _ in received] == ["changing"]
    payload = received[0][1]
    assert (payload["from_status"], payload["to_status"], payload["skip_survey_reason"]) == (S.NEW, S.RESOLVED, "spam")
    assert payload["reopening"] is False


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
    assert received[-1] == ("changing", received[-1][1]) and received[-1][1]["reopening"] is True


def test_nothing_is_sent_while_events_are_muted(ticket, agent, received):
    with events.muted():
        services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent)
    assert received == []
