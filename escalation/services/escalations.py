"""Raising escalations and the supervisor's actions on them. Every change writes its history row.

What the desk says (reasons, routing, history, notifications, the notes it writes on the ticket) is stored
as `helpdesk.phrases` values and rendered in each reader's language; what a person typed is kept apart."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from escalation import business_hours
from escalation.exceptions import EscalationClosed, InvalidHandler, NotAllowed
from escalation.models import Escalation, EscalationEvent, Notification, Remedy, Trigger
from escalation.phrases import person
from escalation.phrases import trigger as trigger_name
from escalation.services import routing
from escalation.services.notifications import notify, notify_many
from escalation.services.rules import calendar_for_team, memoised, rule_for, rule_is_active
from helpdesk.phrases import Phrase, join, phrase
from tickets import services as ticket_services
from tickets.exceptions import InvalidAssignee, StaleTicket, TicketClosed
from tickets.models import Membership, Message, Ticket
from tickets.roles import Role, role_of

User = get_user_model()
E = EscalationEvent.Kind
logger = logging.getLogger(__name__)


def _seconds_since(escalation: Escalation, now: datetime) -> int:
    return max(0, int((now - escalation.created_at).total_seconds()))


def _event(escalation: Escalation, kind: str, *, actor=None, note: str = "", phrase: Phrase = None,
           trigger: str = "", now=None):
    now = now or timezone.now()
    return EscalationEvent.objects.create(
        escalation=escalation, kind=kind, actor=actor, phrase=phrase or None, note=note, trigger=trigger,
        seconds_since_raised=_seconds_since(escalation, now), created_at=now,
    )


def _excluded_ids(escalation: Escalation, *, new: bool = False, remedy: Remedy | None = None) -> set[int]:
    """People an escalation is about: never its (only) handler. A new escalation has no remedies
    yet but the one it is raised for, so it needs no query."""
    ids = {escalation.agent_id, escalation.raised_by_id}
    if remedy is not None:
        ids.add(remedy.proposed_by_id)
    if not new:
        ids |= set(Remedy.objects.filter(escalation=escalation).values_list("proposed_by_id", flat=True))
    return {i for i in ids if i}


def ack_due(*, queue_id, team_id, trigger: str, now: datetime) -> datetime:
    """When an escalation routed `now` must be acknowledged: the rule's `ack_minutes` counted in
    business hours of the team's calendar (raised on Friday evening, it is not overdue on Saturday
    morning), or on the wall clock when the rule says `ack_around_the_clock` (e.g. service recovery
    handled 24/7). A calendar without any working time counts on the wall clock."""
    rule = rule_for(queue_id=queue_id, trigger=trigger)
    seconds = float(rule.param("ack_minutes")) * 60
    if rule.param("ack_around_the_clock"):
        return now + timedelta(seconds=seconds)
    try:
        return business_hours.add_business_seconds(now, seconds, calendar_for_team(team_id))
    except business_hours.NoWorkingTime:
        return now + timedelta(seconds=seconds)


def _ack_due(escalation: Escalation, decision: routing.Decision, now):
    if decision.user is None:
        return None
    return ack_due(queue_id=escalation.queue_id, team_id=escalation.team_id, trigger=escalation.trigger, now=now)


def _routed_notification(escalation: Escalation, decision: routing.Decision, now) -> Notification:
    return Notification(
        key=f"routed:{escalation.pk}:{decision.user.pk}:{escalation.level}:{now.timestamp():.0f}"[:200],
        recipient=decision.user, kind=Notification.Kind.ROUTED, ticket=escalation.ticket, escalation=escalation,
        phrase=phrase("escalation.notice.routed", trigger=trigger_name(escalation.trigger),
                      reference=escalation.ticket.reference, why=decision.explanation),
    )


def _notify_routed(escalation: Escalation, decision: routing.Decision, now) -> None:
    if decision.user is None:
        return
    row = _routed_notification(escalation, decision, now)
    notify(key=row.key, recipient=row.recipient, kind=row.kind, ticket=row.ticket, escalation=escalation,
           phrase=row.phrase)


def _apply_route(escalation: Escalation, decision: routing.Decision, *, now, actor=None, kind=E.ROUTED) -> None:
    escalation.assigned_to = decision.user
    escalation.level = decision.level
    escalation.routing = decision.explanation
    escalation.ack_due_at = _ack_due(escalation, decision, now)
    escalation.save(update_fields=["assigned_to", "level", "routing", "ack_due_at"])
    _event(escalation, kind, actor=actor, phrase=decision.explanation, now=now)
    _notify_routed(escalation, decision, now)


def escalation_raise(
    *,
    ticket: Ticket,
    trigger: str,
    actor=None,
    reason_code: str = Escalation.Reason.OTHER,
    reason_text: str = "",
    reason_phrase: Phrase = None,
    tried: str = "",
    remedy: Remedy | None = None,
    rating: dict | None = None,
    now: datetime | None = None,
) -> tuple[Escalation | None, bool]:
    """Escalate `ticket`; if it already has an open escalation, add this firing to its history.

    `reason_text` is what a person typed; `reason_phrase` the desk's own reason (a `helpdesk.phrases`
    value). Returns (escalation, created). A trigger whose rule is switched off returns (None, False).
    """
    now = now or timezone.now()
    rule = rule_for(queue_id=ticket.queue_id, trigger=trigger)
    if not rule_is_active(rule):
        return None, False
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _raise_once(ticket=ticket, trigger=trigger, actor=actor, reason_code=reason_code,
                                   reason_text=reason_text, reason_phrase=reason_phrase or None, tried=tried,
                                   remedy=remedy, rating=rating, now=now)
        except IntegrityError:  # another request opened one a moment ago: add to that one
            continue
    raise StaleTicket()


def _raise_once(*, ticket, trigger, actor, reason_code, reason_text, reason_phrase, tried, remedy, rating, now):
    existing = (
        Escalation.objects.select_for_update(of=("self",))
        .filter(ticket=ticket, state__in=Escalation.OPEN_STATES)
        .select_related("ticket")
        .first()
    )
    rating = rating or {}
    if existing is not None:
        said = reason_phrase
        note = reason_text
        if rating:
            said = said or phrase("escalation.rated", stars=rating.get("stars"))
            note = "\n".join(part for part in (note, rating.get("follow_up", ""), rating.get("comment", "")) if part)
            existing.rating_stars = rating.get("stars")
            existing.rating_comment = rating.get("comment", "")
            existing.rating_follow_up = rating.get("follow_up", "")
            existing.rating_id = rating.get("rating_id")
            existing.save(update_fields=["rating_stars", "rating_comment", "rating_follow_up", "rating_id"])
        _event(existing, E.FIRED_AGAIN, actor=actor, trigger=trigger, phrase=said, note=note, now=now)
        if remedy is not None:
            Remedy.objects.filter(pk=remedy.pk).update(escalation=existing)
            remedy.escalation = existing
        if trigger == Trigger.SERVICE_RECOVERY:
            _take_service_recovery_urgency(existing, reason_phrase=reason_phrase, rating_id=rating.get("rating_id"),
                                           now=now)
        return existing, False
    # Route first, then write the escalation, its two history rows and the notification in three
    # INSERTs: the beat task raises many of these, so every query counts.
    escalation = Escalation(
        ticket=ticket, queue_id=ticket.queue_id, team_id=ticket.queue.team_id, agent_id=ticket.assignee_id,
        raised_by=actor, trigger=trigger, reason_code=reason_code, reason_text=reason_text,
        reason_phrase=reason_phrase, tried=tried,
        rating_stars=rating.get("stars"), rating_comment=rating.get("comment", ""),
        rating_follow_up=rating.get("follow_up", ""), rating_id=rating.get("rating_id"), created_at=now,
    )
    decision = routing.route(queue=ticket.queue, exclude_ids=_excluded_ids(escalation, new=True, remedy=remedy),
                             now=now)
    escalation.assigned_to = decision.user
    escalation.level = decision.level
    escalation.routing = decision.explanation
    escalation.ack_due_at = _ack_due(escalation, decision, now)
    escalation.save(force_insert=True)
    EscalationEvent.objects.bulk_create([
        EscalationEvent(escalation=escalation, kind=E.RAISED, actor=actor, trigger=trigger, phrase=reason_phrase,
                        note=reason_text, created_at=now),
        EscalationEvent(escalation=escalation, kind=E.ROUTED, phrase=decision.explanation, created_at=now),
    ])
    if remedy is not None:
        Remedy.objects.filter(pk=remedy.pk).update(escalation=escalation)
        remedy.escalation = escalation
    _notify_routed(escalation, decision, now)
    return escalation, True


def _take_service_recovery_urgency(escalation: Escalation, *, reason_phrase: Phrase, rating_id: int | None,
                                   now: datetime) -> None:
    """A low rating joined an escalation raised for another reason: it must still reach a supervisor at
    once (D6). The escalation ranks as service recovery from now on (the trigger it was raised for stays
    in its history, where `?trigger=` filters find it too) and its reason starts with the rating's; an
    open one must be acknowledged by service recovery's deadline if that is sooner, and its handler is
    told; one that nobody handles is routed now.
    """
    escalation.trigger = Trigger.SERVICE_RECOVERY
    escalation.reason_code = Escalation.Reason.UPSET_CUSTOMER
    escalation.reason_phrase = join(reason_phrase, escalation.reason_phrase) or None
    changed = ["trigger", "reason_code", "reason_phrase"]
    if escalation.assigned_to_id is None:
        escalation.save(update_fields=changed)
        decision = routing.route(queue=escalation.ticket.queue, exclude_ids=_excluded_ids(escalation), now=now)
        _apply_route(escalation, decision, now=now)
        return
    if escalation.state == Escalation.State.OPEN:
        due = ack_due(queue_id=escalation.queue_id, team_id=escalation.team_id, trigger=Trigger.SERVICE_RECOVERY,
                      now=now)
        if escalation.ack_due_at is None or due < escalation.ack_due_at:
            escalation.ack_due_at = due
    escalation.save(update_fields=[*changed, "ack_due_at"])
    notify(key=f"low_rating:{escalation.pk}:{rating_id or now.timestamp()}", recipient=escalation.assigned_to,
           kind=Notification.Kind.LOW_RATING, ticket=escalation.ticket, escalation=escalation,
           phrase=phrase("escalation.notice.low_rating", reference=escalation.ticket.reference,
                         stars=escalation.rating_stars or 0))


Firing = tuple[Ticket, str, Phrase]  # (ticket with its queue loaded, trigger, reason phrase)


def escalations_raise_many(*, firings: list[Firing], now: datetime | None = None) -> dict[str, int]:
    """The sweep's raise: every trigger that fired in one sweep, in a fixed number of queries.

    Each ticket's first firing without an open escalation opens one; every other firing (the ticket
    already had one, or fired twice in this sweep) adds a "fired again" history row. New
    escalations are routed together (one query for the candidates and their loads, each decision
    counted into the next) and written with bulk_create, with their history rows and notifications
    (emailed by the outbox after commit). Firings whose rule is switched off are dropped. If a
    concurrent request opened an escalation for one of the tickets meanwhile, the batch rolls back
    and each firing is raised on its own. Returns {"raised": n, "added": n}.
    """
    now = now or timezone.now()
    firings = [f for f in firings if rule_is_active(rule_for(queue_id=f[0].queue_id, trigger=f[1]))]
    if not firings:
        return {"raised": 0, "added": 0}
    try:
        with transaction.atomic():
            return _raise_many(firings, now)
    except IntegrityError:
        logger.info("batch raise collided with a concurrent escalation; raising one by one")
    done = {"raised": 0, "added": 0}
    for ticket, trigger, reason in firings:
        try:
            _escalation, created = escalation_raise(ticket=ticket, trigger=trigger, reason_phrase=reason, now=now)
        except Exception:  # one bad ticket must not stop the sweep; logged, not lost silently
            logger.exception("escalating ticket %s for %s failed", ticket.pk, trigger)
            continue
        done["raised" if created else "added"] += 1
    return done


def _fired_again(escalation: Escalation, trigger: str, reason: Phrase, now: datetime) -> EscalationEvent:
    return EscalationEvent(escalation=escalation, kind=E.FIRED_AGAIN, trigger=trigger, phrase=reason or None,
                           seconds_since_raised=_seconds_since(escalation, now), created_at=now)


def _raise_many(firings: list[Firing], now: datetime) -> dict[str, int]:
    existing = {
        e.ticket_id: e for e in Escalation.objects.select_for_update(of=("self",))
        .filter(ticket__in={f[0].pk for f in firings}, state__in=Escalation.OPEN_STATES)
    }
    opening: dict[int, Firing] = {}
    again: list[Firing] = []
    for firing in firings:
        if firing[0].pk in existing or firing[0].pk in opening:
            again.append(firing)
        else:
            opening[firing[0].pk] = firing
    escalations, decisions = [], []
    if opening:
        candidates = routing.load_candidates(team_ids=[t.queue.team_id for t, _tr, _r in opening.values()],
                                             manager_ids=[t.queue.manager_id for t, _tr, _r in opening.values()])
    for ticket, trigger, reason in opening.values():
        escalation = Escalation(
            ticket=ticket, queue_id=ticket.queue_id, team_id=ticket.queue.team_id, agent_id=ticket.assignee_id,
            trigger=trigger, reason_phrase=reason or None, created_at=now,
        )
        decision = routing.route(queue=ticket.queue, exclude_ids=_excluded_ids(escalation, new=True), now=now,
                                 candidates=candidates)
        escalation.assigned_to = decision.user
        escalation.level = decision.level
        escalation.routing = decision.explanation
        escalation.ack_due_at = _ack_due(escalation, decision, now)
        escalations.append(escalation)
        decisions.append(decision)
    if escalations:
        Escalation.objects.bulk_create(escalations)
    events = []
    for escalation, decision in zip(escalations, decisions, strict=True):
        events.append(EscalationEvent(escalation=escalation, kind=E.RAISED, trigger=escalation.trigger,
                                      phrase=escalation.reason_phrase, created_at=now))
        events.append(EscalationEvent(escalation=escalation, kind=E.ROUTED, phrase=decision.explanation,
                                      created_at=now))
    by_ticket = {**existing, **{e.ticket_id: e for e in escalations}}
    events.extend(_fired_again(by_ticket[ticket.pk], trigger, reason, now)
                  for ticket, trigger, reason in again)
    EscalationEvent.objects.bulk_create(events)
    notify_many([_routed_notification(e, d, now) for e, d in zip(escalations, decisions, strict=True)
                 if d.user is not None])
    return {"raised": len(escalations), "added": len(again)}


# --- Supervisor actions -------------------------------------------------------------------------


def _may_act(escalation: Escalation, actor) -> None:
    role = role_of(actor)
    if role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotAllowed()
    if role == Role.SUPERVISOR and escalation.assigned_to_id != actor.pk and not Membership.objects.filter(
        user=actor, team_id=escalation.team_id
    ).exists() and escalation.queue is not None and escalation.queue.manager_id != actor.pk:
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
    if escalation.state == Escalation.State.ACKNOWLEDGED:
        return escalation
    escalation.state = Escalation.State.ACKNOWLEDGED
    escalation.acknowledged_at = now
    escalation.ack_due_at = None
    if escalation.assigned_to_id is None:
        escalation.assigned_to = actor
    escalation.save(update_fields=["state", "acknowledged_at", "ack_due_at", "assigned_to"])
    _event(escalation, E.ACKNOWLEDGED, actor=actor, now=now)
    return escalation


def _ensure_acknowledged(escalation: Escalation, actor, now) -> None:
    if escalation.state == Escalation.State.OPEN:
        escalation.state = Escalation.State.ACKNOWLEDGED
        escalation.acknowledged_at = now
        escalation.ack_due_at = None
        escalation.save(update_fields=["state", "acknowledged_at", "ack_due_at"])
        _event(escalation, E.ACKNOWLEDGED, actor=actor, now=now)


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
    _ensure_acknowledged(escalation, actor, now)
    escalation.assigned_to = actor
    escalation.save(update_fields=["assigned_to"])
    _event(escalation, E.TOOK_OVER, actor=actor, now=now)
    return escalation


@transaction.atomic
def escalation_return(*, escalation: Escalation, actor, guidance: str, now=None) -> Escalation:
    """Back to the agent with a coaching note: the escalation closes as "returned"."""
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    guidance = guidance.strip()
    _ensure_acknowledged(escalation, actor, now)
    escalation.state = Escalation.State.RETURNED
    escalation.guidance = guidance
    escalation.resolved_at = now
    escalation.resolved_by = actor
    escalation.ack_due_at = None
    escalation.save(update_fields=["state", "guidance", "resolved_at", "resolved_by", "ack_due_at"])
    _event(escalation, E.COACHED, actor=actor, note=guidance, now=now)
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
    _event(escalation, E.REASSIGNED, actor=actor, phrase=explanation, now=now)
    notify(key=f"routed:{escalation.pk}:{to_user.pk}:reassigned:{now.timestamp():.0f}", recipient=to_user,
           kind=Notification.Kind.ROUTED, ticket=escalation.ticket, escalation=escalation, phrase=explanation)
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, actor, note: str = "", now=None) -> Escalation:
    """The supervisor resolved the situation themselves."""
    now = now or timezone.now()
    _may_act(escalation, actor)
    escalation = _lock_open(escalation)
    _ensure_acknowledged(escalation, actor, now)
    escalation.state = Escalation.State.RESOLVED
    escalation.resolved_at = now
    escalation.resolved_by = actor
    escalation.ack_due_at = None
    escalation.save(update_fields=["state", "resolved_at", "resolved_by", "ack_due_at"])
    _event(escalation, E.RESOLVED, actor=actor, note=note.strip(), now=now)
    return escalation


def _tier_up_decision(escalation: Escalation, *, exclude_ids: set[int], now: datetime,
                      candidates: routing.Candidates | None = None) -> routing.Decision:
    """The next tier's handler for an escalation not acknowledged in time, explained. Its current
    handler is never asked again; `decision.user` is None when nobody higher is available."""
    previous = escalation.assigned_to
    exclude = exclude_ids | ({previous.pk} if previous else set())
    next_level = min(escalation.level + 1, Escalation.Level.ADMIN)
    decision = routing.route(queue=escalation.ticket.queue, exclude_ids=exclude, now=now, from_level=next_level,
                             candidates=candidates)
    if decision.user is None:
        decision.explanation = phrase("escalation.tier_up.nobody_higher", name=person(previous))
    else:
        decision.explanation = phrase("escalation.tier_up.moved", name=person(previous), why=decision.explanation)
    return decision


@transaction.atomic
def escalation_tier_up(*, escalation_id: int, now=None) -> Escalation | None:
    """Not acknowledged in time: one level up, and say so. Idempotent (only an open, overdue one moves)."""
    now = now or timezone.now()
    escalation = (
        Escalation.objects.select_for_update(of=("self",)).select_related("ticket__queue__manager", "queue")
        .filter(pk=escalation_id, state=Escalation.State.OPEN, ack_due_at__lte=now).first()
    )
    if escalation is None:
        return None
    decision = _tier_up_decision(escalation, exclude_ids=_excluded_ids(escalation), now=now)
    if decision.user is None:
        # Nobody higher: keep the current handler, stop the clock, and say so.
        escalation.ack_due_at = None
        escalation.save(update_fields=["ack_due_at"])
        _event(escalation, E.TIER_UP, phrase=decision.explanation, now=now)
        return escalation
    _apply_route(escalation, decision, now=now, kind=E.TIER_UP)
    return escalation


def escalations_tier_up_many(*, escalation_ids: Iterable[int], now: datetime | None = None) -> int:
    """The sweep's tier-up: every open escalation of `escalation_ids` not acknowledged by `now`
    moves up one tier (as `escalation_tier_up` moves one), in a fixed number of queries.

    The escalations are locked and read in one query, the remedy proposers they exclude in one, the
    candidates of every tier of every team and queue concerned in one (`routing.load_candidates`;
    each decision is counted into the loads, the previous handler's load counted down, so a batch
    spreads as one-by-one tier-ups would); one UPDATE, one INSERT of history rows and one of
    notifications (emailed by the outbox after commit). Idempotent: an escalation acknowledged or moved
    meanwhile is left alone. If the batch fails, each escalation is moved on its own, so one bad
    row cannot stop the others. Returns how many escalations were handled.
    """
    now = now or timezone.now()
    ids = sorted(set(escalation_ids))
    if not ids:
        return 0
    try:
        with transaction.atomic(), memoised():
            return _tier_up_many(ids, now)
    except Exception:  # logged, then retried one by one
        logger.exception("batch tier-up of %d escalations failed; moving them one by one", len(ids))
    done = 0
    for escalation_id in ids:
        try:
            done += escalation_tier_up(escalation_id=escalation_id, now=now) is not None
        except Exception:
            logger.exception("tier-up of escalation %s failed", escalation_id)
    return done


def _tier_up_many(ids: list[int], now: datetime) -> int:
    escalations = list(
        Escalation.objects.select_for_update(of=("self",))
        .select_related("ticket__queue", "queue", "assigned_to")
        .filter(pk__in=ids, state=Escalation.State.OPEN, ack_due_at__lte=now)
        .order_by("ack_due_at", "pk")
    )
    if not escalations:
        return 0
    proposers: dict[int, set[int]] = defaultdict(set)
    for escalation_id, user_id in Remedy.objects.filter(escalation__in=escalations).values_list(
            "escalation_id", "proposed_by_id"):
        proposers[escalation_id].add(user_id)
    queues = [e.ticket.queue for e in escalations]
    candidates = routing.load_candidates(team_ids=[q.team_id for q in queues],
                                         manager_ids=[q.manager_id for q in queues])
    events, notifications = [], []
    for escalation in escalations:
        exclude = {i for i in (escalation.agent_id, escalation.raised_by_id, *proposers[escalation.pk]) if i}
        previous_id = escalation.assigned_to_id
        decision = _tier_up_decision(escalation, exclude_ids=exclude, now=now, candidates=candidates)
        if decision.user is None:  # nobody higher: keep the handler, stop the clock, say so
            escalation.ack_due_at = None
        else:
            if previous_id is not None and candidates.loads.get(previous_id, 0) > 0:
                candidates.loads[previous_id] -= 1
            escalation.assigned_to = decision.user
            escalation.level = decision.level
            escalation.routing = decision.explanation
            escalation.ack_due_at = _ack_due(escalation, decision, now)
            notifications.append(_routed_notification(escalation, decision, now))
        events.append(EscalationEvent(escalation=escalation, kind=E.TIER_UP, phrase=decision.explanation,
                                      seconds_since_raised=_seconds_since(escalation, now), created_at=now))
    _bulk_set(escalations, ["assigned_to", "level", "routing", "ack_due_at"])
    EscalationEvent.objects.bulk_create(events)
    notify_many(notifications)
    return len(escalations)


def _bulk_set(escalations: list[Escalation], names: list[str]) -> None:
    """Write `names` of every escalation in one UPDATE.

    On PostgreSQL: UPDATE ... FROM (VALUES ...), one row of typed values per escalation. Django's
    bulk_update builds a CASE WHEN per row and field, which costs seconds of Python at the sweep's
    batch of 500; elsewhere (SQLite, tests) bulk_update is good enough."""
    if connection.vendor != "postgresql":
        Escalation.objects.bulk_update(escalations, names)
        return
    meta = Escalation._meta
    fields = [meta.pk] + [meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[1:])
    values = ", ".join([row] * len(escalations))
    # Identifiers come from the model's metadata, quoted; every value is a query parameter.
    sql = (f"UPDATE {qn(meta.db_table)} AS e SET {assignments} FROM (VALUES {values}) "  # noqa: S608
           f"AS v({columns}) WHERE e.{qn(meta.pk.column)} = v.{qn(meta.pk.column)}")
    params = [f.get_db_prep_value(getattr(e, f.attname), connection) for e in escalations for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
