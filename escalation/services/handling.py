"""The supervisor's actions on an escalation (D6): acknowledge it, take over the ticket, return it to the agent
with guidance, reassign it, resolve it. Each checks who may act and locks the escalation; the state changes
only through the life cycle (`lifecycle.escalation_transition`), which writes the history row with it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, role_of
from accounts.selectors import works_in_team
from escalation.exceptions import EscalationClosed, InvalidHandler, NotAllowed
from escalation.models import Escalation, EscalationEvent, Notification
from escalation.phrases import person
from escalation.services import routing
from escalation.services.escalations import _excluded_ids
from escalation.services.lifecycle import escalation_transition, history_add
from escalation.services.notifications import notify
from helpdesk.phrases import phrase
from tickets import services as ticket_services
from tickets.exceptions import InvalidAssignee, TicketClosed
from tickets.models import Message, Ticket

User = get_user_model()
State = Escalation.State
EventKind = EscalationEvent.Kind


def _may_act(escalation: Escalation, actor) -> None:
    role = role_of(actor)
    if role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotAllowed()
    if role == Role.SUPERVISOR and escalation.assigned_to_id != actor.pk and not works_in_team(
        actor, escalation.team_id
    ) and escalation.queue is not None and escalation.queue.manager_id != actor.pk:
        raise NotAllowed()


def _lock_open(escalation: Escalation) -> Escalation:
    locked = (
        Escalation.objects.select_for_update(of=("self",)).select_related("ticket__queue", "queue")
        .get(pk=escalation.pk)
    )
    if not locked.is_open:
        raise EscalationClosed()
    return locked


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, actor, now=None) -> Escalation:
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    if escalation.state == State.ACKNOWLEDGED:
        return escalation
    # Acknowledging an escalation that nobody handles makes the supervisor its handler.
    claim = {"assigned_to": actor} if escalation.assigned_to_id is None else {}
    return escalation_transition(escalation, to_state=State.ACKNOWLEDGED, actor=actor, now=now, **claim)


@transaction.atomic
def escalation_take_over(*, escalation: Escalation, actor, now=None) -> Escalation:
    """The supervisor becomes the ticket's assignee (they must be in the ticket's team)."""
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    ticket = escalation.ticket
    try:
        ticket_services.ticket_assign(ticket=ticket, assignee=actor, actor=actor)
    except (InvalidAssignee, TicketClosed) as exc:
        raise InvalidHandler(user=routing.display(actor)) from exc
    if escalation.state == State.OPEN:
        escalation_transition(escalation, to_state=State.ACKNOWLEDGED, actor=actor, now=now, assigned_to=actor)
    else:
        escalation.assigned_to = actor
        escalation.save(update_fields=["assigned_to"])
    history_add(escalation, EventKind.TOOK_OVER, actor=actor, now=now)
    return escalation


@transaction.atomic
def escalation_return(*, escalation: Escalation, actor, guidance: str, now=None) -> Escalation:
    """Back to the agent with a coaching note: the escalation closes as "returned"."""
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    guidance = guidance.strip()
    escalation_transition(escalation, to_state=State.RETURNED, actor=actor, now=now, note=guidance, guidance=guidance)
    if escalation.ticket.status != Ticket.Status.CLOSED and guidance:
        ticket_services.message_add(
            ticket=escalation.ticket, kind=Message.Kind.NOTE, author_user=actor, body=guidance,
            phrase=phrase("escalation.returned_with_guidance"),
        )
    agent = User.objects.filter(pk=escalation.agent_id or escalation.raised_by_id).first()
    notify(key=f"coached:{escalation.pk}", recipient=agent, kind=Notification.Kind.COACHED,
           ticket=escalation.ticket, escalation=escalation, text=guidance)
    return escalation


@transaction.atomic
def escalation_reassign(*, escalation: Escalation, actor, to_user, note: str = "", now=None) -> Escalation:
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    if role_of(to_user) not in (Role.SUPERVISOR, Role.ADMIN) or to_user.pk in _excluded_ids(escalation):
        raise InvalidHandler(user=routing.display(to_user))
    previous = escalation.assigned_to
    who = {"actor": person(actor), "previous": person(previous), "to": person(to_user)}
    note = note.strip()
    explanation = (phrase("escalation.reassigned_with_note", note=note, **who) if note
                   else phrase("escalation.reassigned", **who))
    escalation.assigned_to = to_user
    escalation.routing = explanation
    escalation.save(update_fields=["assigned_to", "routing"])
    history_add(escalation, EventKind.REASSIGNED, actor=actor, phrase=explanation, now=now)
    notify(key=f"routed:{escalation.pk}:{to_user.pk}:reassigned:{now.timestamp():.0f}", recipient=to_user,
           kind=Notification.Kind.ROUTED, ticket=escalation.ticket, escalation=escalation, phrase=explanation)
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, actor, note: str = "", now=None) -> Escalation:
    """The supervisor resolved the situation themselves."""
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    return escalation_transition(escalation, to_state=State.RESOLVED, actor=actor, now=now, note=note.strip())
