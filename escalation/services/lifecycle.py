"""The escalation life cycle: one table of allowed moves, one function that applies a move with its history row.

Every action that changes an escalation's state (acknowledge, take over, return, resolve, and the approval of
its last pending remedy) moves it through `escalation_transition`; nothing else writes `Escalation.state`
(a new escalation starts open). Whoever closes an escalation nobody acknowledged has seen it: the move
acknowledges it first, with its own history row, so the acknowledge times (`reports.figures.escalations`) count it.
"""

from datetime import datetime

from django.utils import timezone

from escalation.exceptions import EscalationClosed, IllegalEscalationTransition
from escalation.models import Escalation, EscalationEvent
from helpdesk.phrases import Phrase

State = Escalation.State
EventKind = EscalationEvent.Kind

TRANSITIONS: dict[str, frozenset[str]] = {
    State.OPEN: frozenset({State.ACKNOWLEDGED}),
    State.ACKNOWLEDGED: frozenset({State.RETURNED, State.RESOLVED}),
    State.RETURNED: frozenset(),
    State.RESOLVED: frozenset(),
}
CLOSING = frozenset({State.RETURNED, State.RESOLVED})
# The history row each move writes.
EVENT_OF = {
    State.ACKNOWLEDGED: EventKind.ACKNOWLEDGED, State.RETURNED: EventKind.COACHED, State.RESOLVED: EventKind.RESOLVED,
}


def allowed_transitions(escalation: Escalation) -> list[str]:
    return [state for state in State.values if state in TRANSITIONS[escalation.state]]


def seconds_since(escalation: Escalation, now: datetime) -> int:
    return max(0, int((now - escalation.created_at).total_seconds()))


def history_add(escalation: Escalation, kind: str, *, actor=None, note: str = "", phrase: Phrase = None,
                trigger: str = "", now=None) -> EscalationEvent:
    """One row of the escalation's history: what the desk says (`phrase`) and what a person typed (`note`)."""
    now = now or timezone.now()
    return EscalationEvent.objects.create(
        escalation=escalation, kind=kind, actor=actor, phrase=phrase or None, note=note, trigger=trigger,
        seconds_since_raised=seconds_since(escalation, now), created_at=now,
    )


def _state_columns(to_state: str, actor, now: datetime) -> dict:
    """The columns a move to `to_state` writes besides the state."""
    if to_state == State.ACKNOWLEDGED:
        return {"acknowledged_at": now, "ack_due_at": None}
    return {"resolved_at": now, "resolved_by": actor, "ack_due_at": None}


def escalation_transition(escalation: Escalation, *, to_state: str, actor, now: datetime | None = None,
                          note: str = "", phrase: Phrase = None, **columns) -> Escalation:
    """Move `escalation` (locked by the caller, inside its transaction) to `to_state` if the table allows it,
    with the move's columns, the caller's `columns` (one UPDATE) and the move's history row (`note`, `phrase`).

    Closing an open one (returned, resolved) acknowledges it first. A closed escalation refuses every move
    (EscalationClosed); any other move the table does not allow is an IllegalEscalationTransition.
    """
    now = now or timezone.now()
    if not TRANSITIONS[escalation.state]:
        raise EscalationClosed()
    if escalation.state == State.OPEN and to_state in CLOSING:
        escalation_transition(escalation, to_state=State.ACKNOWLEDGED, actor=actor, now=now)
    if to_state not in TRANSITIONS[escalation.state]:
        raise IllegalEscalationTransition(from_state=State(escalation.state).label,
                                          to_state=State(to_state).label if to_state in State.values else to_state)
    changes = {"state": to_state, **_state_columns(to_state, actor, now), **columns}
    for name, value in changes.items():
        setattr(escalation, name, value)
    escalation.save(update_fields=list(changes))
    history_add(escalation, EVENT_OF[to_state], actor=actor, note=note, phrase=phrase, now=now)
    return escalation
