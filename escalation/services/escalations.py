"""Raising escalations: routing each to a handler (with its acknowledge-by time and notification), one at a
time or the sweep's batch, and a low rating joining an open escalation. Every change writes its history row.

The supervisor's actions are in `handling`, tier-up in `tier_up`, the state machine in `lifecycle`.
What the desk says (reasons, routing, history, notifications) is stored as `helpdesk.phrases` values and
rendered in each reader's language; what a person typed is kept apart."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from escalation import business_hours
from escalation.models import Escalation, EscalationEvent, Notification, Remedy, Trigger
from escalation.phrases import trigger as trigger_name
from escalation.services import routing
from escalation.services.lifecycle import history_add, seconds_since
from escalation.services.notifications import notify, notify_many
from escalation.services.rules import calendar_for_team, rule_for, rule_is_active
from helpdesk.phrases import Phrase, join, phrase
from tickets.exceptions import StaleTicket
from tickets.models import Ticket

EventKind = EscalationEvent.Kind
logger = logging.getLogger(__name__)


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


def _apply_route(escalation: Escalation, decision: routing.Decision, *, now, actor=None, kind=EventKind.ROUTED) -> None:
    escalation.assigned_to = decision.user
    escalation.level = decision.level
    escalation.routing = decision.explanation
    escalation.ack_due_at = _ack_due(escalation, decision, now)
    escalation.save(update_fields=["assigned_to", "level", "routing", "ack_due_at"])
    history_add(escalation, kind, actor=actor, phrase=decision.explanation, now=now)
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
        history_add(existing, EventKind.FIRED_AGAIN, actor=actor, trigger=trigger, phrase=said, note=note, now=now)
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
        EscalationEvent(escalation=escalation, kind=EventKind.RAISED, actor=actor, trigger=trigger,
                        phrase=reason_phrase,
                        note=reason_text, created_at=now),
        EscalationEvent(escalation=escalation, kind=EventKind.ROUTED, phrase=decision.explanation, created_at=now),
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
    return EscalationEvent(escalation=escalation, kind=EventKind.FIRED_AGAIN, trigger=trigger, phrase=reason or None,
                           seconds_since_raised=seconds_since(escalation, now), created_at=now)


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
        events.append(EscalationEvent(escalation=escalation, kind=EventKind.RAISED, trigger=escalation.trigger,
                                      phrase=escalation.reason_phrase, created_at=now))
        events.append(EscalationEvent(escalation=escalation, kind=EventKind.ROUTED, phrase=decision.explanation,
                                      created_at=now))
    by_ticket = {**existing, **{e.ticket_id: e for e in escalations}}
    events.extend(_fired_again(by_ticket[ticket.pk], trigger, reason, now)
                  for ticket, trigger, reason in again)
    EscalationEvent.objects.bulk_create(events)
    notify_many([_routed_notification(e, d, now) for e, d in zip(escalations, decisions, strict=True)
                 if d.user is not None])
    return {"raised": len(escalations), "added": len(again)}
