"""An escalation's life cycle: one table of allowed moves, one function that applies a move with its history
row (escalation.services.lifecycle), and every action that changes the state goes through it."""

import pytest

from escalation import services
from escalation.exceptions import EscalationClosed, IllegalEscalationTransition
from escalation.models import Escalation, EscalationEvent, Trigger
from escalation.services.lifecycle import TRANSITIONS, allowed_transitions, escalation_transition
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db
S = Escalation.State
E = EscalationEvent.Kind


@pytest.fixture
def escalation(on_shift, assigned_ticket, agent, supervisor) -> Escalation:
    escalation, _created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent,
                                                     reason_text="Customer wants a manager")
    return escalation


def kinds(escalation: Escalation) -> list[str]:
    return list(escalation.events.values_list("kind", flat=True))


def test_every_state_has_its_row_in_the_table():
    assert set(TRANSITIONS) == set(S.values)


def test_the_open_states_are_the_ones_with_a_way_out():
    assert {state for state, targets in TRANSITIONS.items() if targets} == set(Escalation.OPEN_STATES)


def test_an_open_escalation_can_be_acknowledged_then_returned_or_resolved(escalation, supervisor):
    assert allowed_transitions(escalation) == [S.ACKNOWLEDGED]
    escalation = services.escalation_acknowledge(escalation=escalation, actor=supervisor)
    assert allowed_transitions(escalation) == [S.RETURNED, S.RESOLVED]
    escalation = services.escalation_resolve(escalation=escalation, actor=supervisor)
    assert allowed_transitions(escalation) == []


def test_a_move_the_table_does_not_allow_is_refused_with_its_code(escalation, supervisor):
    with pytest.raises(IllegalEscalationTransition) as refused:
        escalation_transition(escalation, to_state=S.OPEN, actor=supervisor)
    assert refused.value.code == "illegal_escalation_transition"
    escalation.refresh_from_db()
    assert (escalation.state, kinds(escalation)) == (S.OPEN, [E.RAISED, E.ROUTED])


def test_a_closed_escalation_refuses_every_move(escalation, supervisor):
    escalation = services.escalation_resolve(escalation=escalation, actor=supervisor, note="Called her back")
    for state in S.values:
        with pytest.raises(EscalationClosed):
            escalation_transition(escalation, to_state=state, actor=supervisor)
    assert kinds(escalation).count(E.RESOLVED) == 1


def test_closing_an_escalation_nobody_acknowledged_acknowledges_it_first(escalation, supervisor):
    escalation = services.escalation_resolve(escalation=escalation, actor=supervisor, note="Called her back")
    escalation.refresh_from_db()
    assert kinds(escalation) == [E.RAISED, E.ROUTED, E.ACKNOWLEDGED, E.RESOLVED]
    assert escalation.acknowledged_at == escalation.resolved_at
    assert (escalation.resolved_by, escalation.ack_due_at) == (supervisor, None)


def test_acknowledging_twice_writes_one_history_row(escalation, supervisor):
    services.escalation_acknowledge(escalation=escalation, actor=supervisor)
    services.escalation_acknowledge(escalation=escalation, actor=supervisor)
    assert kinds(escalation).count(E.ACKNOWLEDGED) == 1


def test_taking_over_acknowledges_through_the_life_cycle(escalation, supervisor):
    escalation = services.escalation_take_over(escalation=escalation, actor=supervisor)
    escalation.refresh_from_db()
    assert (escalation.state, escalation.assigned_to) == (S.ACKNOWLEDGED, supervisor)
    assert kinds(escalation) == [E.RAISED, E.ROUTED, E.ACKNOWLEDGED, E.TOOK_OVER]


def test_approving_the_last_pending_remedy_closes_its_escalation_through_the_life_cycle(
        on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="80", actor=agent)
    services.remedy_approve(remedy=remedy, actor=supervisor, note="Fine this once")
    escalation = Escalation.objects.get()
    assert (escalation.state, escalation.resolved_by) == (S.RESOLVED, supervisor)
    assert escalation.acknowledged_at == escalation.resolved_at
    assert kinds(escalation) == [E.RAISED, E.ROUTED, E.REMEDY_APPROVED, E.ACKNOWLEDGED, E.RESOLVED]


def test_a_remedy_decided_after_its_escalation_was_closed_leaves_it_closed(on_shift, assigned_ticket, agent,
                                                                           supervisor):
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="80", actor=agent)
    escalation = services.escalation_return(escalation=Escalation.objects.get(), actor=supervisor,
                                            guidance="Ask for a photo first")
    services.remedy_deny(remedy=remedy, actor=supervisor, note="No photo")
    escalation.refresh_from_db()
    assert escalation.state == S.RETURNED
    assert kinds(escalation) == [E.RAISED, E.ROUTED, E.ACKNOWLEDGED, E.COACHED, E.REMEDY_DENIED]
