"""The SLA clock and the time-based triggers.

Due times are computed once per ticket event (created, first response, resolved, reopened, closed)
in business hours and stored on `TicketSla`; the pending alarms are nullable columns with partial
indexes. The beat task (`sla_sweep`) selects what is due with one indexed query per kind, so its
cost follows the number of due alarms, never the number of open tickets. The breaches one sweep
finds are raised together (`escalations_raise_many`: one routing query, bulk inserts; their emails go
out through the outbox).

While a ticket is pending (waiting on the customer) its resolution and complaint clocks are paused:
their alarms leave the indexed columns (held in `paused_alarms`, so the sweep cannot select them)
and come back, with `resolution_due`, moved later by the business time spent pending. The
first-response clock does not pause (see PAUSING_ALARMS).
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from escalation import business_hours
from escalation.models import Escalation, EscalationEvent, Notification, TicketSla, Trigger
from escalation.services.escalations import escalations_raise_many
from escalation.services.notifications import batched, notify_many
from escalation.services.routing import is_away, load_candidates
from escalation.services.rules import (
    calendar_for_queue,
    memoised,
    rule_is_active,
    rules_for_queue,
    sla_policy_for,
)
from escalation.services.tier_up import escalations_tier_up_many
from helpdesk.phrases import Phrase, phrase
from tickets.models import Ticket

logger = logging.getLogger(__name__)
HOUR = 3600
SWEEP_BATCH = 500


def _hours(value) -> float:
    return float(value) * HOUR


def _due(start: datetime, hours, calendar, percent: float = 100, paused: float = 0) -> datetime:
    """`percent` of `hours` of business time after `start`, plus the business seconds the clock was paused."""
    return business_hours.add_business_seconds(start, _hours(hours) * percent / 100 + paused, calendar)


# The clocks that pause while a ticket is pending (waiting on the customer), by their alarm columns.
# Resolution and complaint pause: nobody can resolve while the customer has the ball. The first
# response does NOT pause: if it was given, its clock is settled already; if it was not, the customer
# has not been answered at all, so nothing can be waiting on them (a ticket set pending without a
# public reply still owes its first response, and its first-response alarms keep running).
PAUSING_ALARMS = ("res_warning_at", "res_breach_at", "complaint_at")


def sla_start(*, ticket_id: int, now: datetime | None = None) -> TicketSla | None:
    """Arm the clock of a new ticket: first response and resolution due, warnings, complaint target."""
    ticket = Ticket.objects.select_related("queue").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    start = ticket.created_at
    rules = rules_for_queue(ticket.queue_id)
    policy = sla_policy_for(queue_id=ticket.queue_id, priority=ticket.priority)
    calendar = calendar_for_queue(ticket.queue)
    previous = TicketSla.objects.filter(ticket=ticket).values("paused_at", "paused_seconds", "paused_alarms").first()
    paused = previous["paused_seconds"] if previous else 0
    values: dict = {"policy": policy, "updated_at": now or timezone.now()}
    if policy is None:  # no target any more (moved to a queue or priority without a policy): no clock
        values.update(first_response_due=None, resolution_due=None, first_response_met=None,
                      fr_warning_at=None, fr_breach_at=None, res_warning_at=None, res_breach_at=None)
    else:
        fr_rule, res_rule = rules[Trigger.SLA_FIRST_RESPONSE], rules[Trigger.SLA_RESOLUTION]
        values["first_response_due"] = _due(start, policy.first_response_hours, calendar)
        values["resolution_due"] = _due(start, policy.resolution_hours, calendar, paused=paused)
        if ticket.first_response_at is None:
            if rule_is_active(fr_rule):
                values["fr_warning_at"] = _due(start, policy.first_response_hours, calendar,
                                               fr_rule.param("warning_percent"))
                values["fr_breach_at"] = values["first_response_due"]
        else:
            values["first_response_met"] = ticket.first_response_at <= values["first_response_due"]
        if rule_is_active(res_rule) and ticket.is_open:
            values["res_warning_at"] = _due(start, policy.resolution_hours, calendar, res_rule.param("warning_percent"),
                                            paused=paused)
            values["res_breach_at"] = values["resolution_due"]
    complaint_rule = rules[Trigger.COMPLAINT]
    if ticket.kind == Ticket.Kind.COMPLAINT and ticket.is_open and rule_is_active(complaint_rule):
        values["complaint_at"] = _due(start, complaint_rule.param("target_hours"), calendar, paused=paused)
    if previous and previous["paused_at"] is not None:  # recomputed while pending: the alarms stay held
        held = dict(previous["paused_alarms"])
        for field in PAUSING_ALARMS:
            if field in values:
                moment = values.pop(field)
                held[field] = moment.isoformat() if moment is not None else None
        values["paused_alarms"] = {k: v for k, v in held.items() if v is not None}
        for field in PAUSING_ALARMS:
            values[field] = None
    sla, _created = TicketSla.objects.update_or_create(ticket=ticket, defaults=values)
    return sla


def sla_first_response(*, ticket_id: int) -> None:
    """The first public staff reply: record whether it was in time and disarm its alarms."""
    sla = TicketSla.objects.select_related("ticket").filter(ticket_id=ticket_id).first()
    if sla is None or sla.first_response_met is not None or sla.ticket.first_response_at is None:
        return
    met = sla.first_response_due is None or sla.ticket.first_response_at <= sla.first_response_due
    TicketSla.objects.filter(pk=sla.pk).update(first_response_met=met, fr_warning_at=None, fr_breach_at=None,
                                               updated_at=timezone.now())


def slas_resolved(*, ticket_ids: Sequence[int], resolved_at: datetime) -> int:
    """Tickets were resolved (inside the resolving transaction): record whether each met its
    resolution target and disarm the resolution and complaint alarms, in one UPDATE.

    A ticket resolved straight from pending first has its clock resumed (the pending time does not
    count against the target): one row at a time, as rare as it is.
    """
    paused = list(TicketSla.objects.filter(ticket_id__in=ticket_ids, paused_at__isnull=False)
                  .values_list("ticket_id", flat=True))  # a narrow query: there usually are none
    for sla in TicketSla.objects.select_related("ticket__queue").filter(ticket_id__in=paused):
        _resume(sla, resolved_at)
    in_time = Q(resolution_breached=False) & (Q(resolution_due__isnull=True) | Q(resolution_due__gte=resolved_at))
    return TicketSla.objects.filter(ticket_id__in=ticket_ids).update(
        resolution_met=Case(When(in_time, then=Value(True)), default=Value(False)),
        res_warning_at=None, res_breach_at=None, complaint_at=None, updated_at=timezone.now(),
    )


def sla_closed(*, ticket_id: int) -> None:
    TicketSla.objects.filter(ticket_id=ticket_id).update(
        fr_warning_at=None, fr_breach_at=None, res_warning_at=None, res_breach_at=None, complaint_at=None,
        paused_at=None, paused_alarms={}, updated_at=timezone.now(),
    )


def sla_reopened(*, ticket_id: int, now: datetime | None = None) -> None:
    """A reopened ticket owes a new resolution, counted from now."""
    now = now or timezone.now()
    sla = TicketSla.objects.select_related("ticket__queue", "policy").filter(ticket_id=ticket_id).first()
    if sla is None or sla.policy is None:
        return
    rule = rules_for_queue(sla.ticket.queue_id)[Trigger.SLA_RESOLUTION]
    calendar = calendar_for_queue(sla.ticket.queue)
    due = _due(now, sla.policy.resolution_hours, calendar)
    changes = {"resolution_due": due, "resolution_met": None, "updated_at": now, "paused_at": None,
               "paused_seconds": 0, "paused_alarms": {}}
    if rule_is_active(rule):
        changes["res_warning_at"] = _due(now, sla.policy.resolution_hours, calendar, rule.param("warning_percent"))
        changes["res_breach_at"] = due
    TicketSla.objects.filter(pk=sla.pk).update(**changes)


def sla_recompute(*, ticket_id: int) -> None:
    """The ticket's priority or queue changed: its targets become those of its new policy.

    Due times count from creation, as when the ticket was opened. Alarms that already fired stay
    disarmed, so a change never escalates the same breach twice. A reopened ticket keeps the clock
    that its reopening started, and a resolved or closed ticket keeps its outcome.
    """
    sla = TicketSla.objects.select_related("ticket").filter(ticket_id=ticket_id).first()
    if sla is not None and (not sla.ticket.is_open or sla.ticket.reopen_count):
        return
    sla_start(ticket_id=ticket_id)
    disarm: dict = {}
    if sla is not None and sla.first_response_breached:
        disarm.update(fr_warning_at=None, fr_breach_at=None)
    if sla is not None and sla.resolution_breached:
        disarm.update(res_warning_at=None, res_breach_at=None)
    if disarm:
        TicketSla.objects.filter(pk=sla.pk).update(**disarm)


def complaint_arm(*, ticket_id: int) -> bool:
    """Start the complaint clock of a ticket that became a complaint after it was opened (once).

    `tickets` publishes no event when an agent changes a ticket's kind, so this runs on the ticket's
    next message, assignment or reopening. The clock counts from the ticket's creation, without the
    time it spent pending; armed while the ticket is pending, it is held until the ticket resumes.
    """
    ticket = (
        Ticket.objects.select_related("queue")
        .filter(pk=ticket_id, kind=Ticket.Kind.COMPLAINT, status__in=Ticket.OPEN_STATUSES).first()
    )
    if ticket is None:
        return False
    sla = TicketSla.objects.filter(ticket_id=ticket_id).first()
    if sla is not None and (sla.complaint_at is not None or "complaint_at" in sla.paused_alarms):
        return False
    if Escalation.objects.filter(ticket_id=ticket_id, trigger=Trigger.COMPLAINT).exists() or \
            EscalationEvent.objects.filter(escalation__ticket_id=ticket_id, trigger=Trigger.COMPLAINT).exists():
        return False
    rule = rules_for_queue(ticket.queue_id)[Trigger.COMPLAINT]
    if not rule_is_active(rule):
        return False
    due = _due(ticket.created_at, rule.param("target_hours"), calendar_for_queue(ticket.queue),
               paused=sla.paused_seconds if sla is not None else 0)
    if sla is not None and sla.paused_at is not None:
        TicketSla.objects.filter(pk=sla.pk).update(paused_alarms={**sla.paused_alarms, "complaint_at": due.isoformat()},
                                                   updated_at=timezone.now())
        return True
    TicketSla.objects.update_or_create(ticket=ticket, defaults={"complaint_at": due, "updated_at": timezone.now()})
    return True


# --- Pending: the clocks pause ------------------------------------------------------------------


def sla_pause(*, ticket_id: int, at: datetime | None = None) -> bool:
    """The ticket went pending: the resolution and complaint alarms leave the indexed columns (the
    sweep cannot see them) and are held until the ticket leaves pending. Idempotent."""
    at = at or timezone.now()
    sla = TicketSla.objects.filter(ticket_id=ticket_id, paused_at__isnull=True,
                                   ticket__status=Ticket.Status.PENDING).first()
    if sla is None:
        return False
    held = {field: getattr(sla, field).isoformat() for field in PAUSING_ALARMS if getattr(sla, field) is not None}
    return bool(TicketSla.objects.filter(pk=sla.pk, paused_at__isnull=True).update(
        paused_at=at, paused_alarms=held, updated_at=timezone.now(), **{field: None for field in PAUSING_ALARMS}
    ))


def sla_resume(*, ticket_id: int, at: datetime | None = None) -> bool:
    """The ticket left pending: the resolution due time and the held alarms move later by the
    business time it spent pending (`business_hours.shift_for_pause`). Idempotent."""
    sla = TicketSla.objects.select_related("ticket__queue").filter(ticket_id=ticket_id, paused_at__isnull=False).first()
    if sla is None:
        return False
    return _resume(sla, at or timezone.now())


def _resume(sla: TicketSla, at: datetime) -> bool:
    at = max(at, sla.paused_at)
    calendar = calendar_for_queue(sla.ticket.queue)
    try:
        paused_for = business_hours.business_seconds_between(sla.paused_at, at, calendar)
    except business_hours.NoWorkingTime:
        paused_for = 0.0

    def shifted(moment: datetime) -> datetime:
        return business_hours.shift_for_pause(moment, sla.paused_at, at, calendar)

    changes: dict = {"paused_at": None, "paused_alarms": {}, "paused_seconds": sla.paused_seconds + round(paused_for),
                     "updated_at": timezone.now()}
    if sla.resolution_due is not None and not sla.resolution_breached and sla.resolution_met is None:
        changes["resolution_due"] = shifted(sla.resolution_due)
    if sla.ticket.is_open:  # resolved or closed meanwhile: nothing to re-arm
        for field, moment in sla.paused_alarms.items():
            if field in PAUSING_ALARMS and moment:
                changes[field] = shifted(datetime.fromisoformat(moment))
    return bool(TicketSla.objects.filter(pk=sla.pk, paused_at=sla.paused_at).update(**changes))


# --- The beat task ------------------------------------------------------------------------------


def _warn(field: str, target: str, now: datetime) -> int:
    """One SELECT of due warnings, one bulk INSERT of notifications, one UPDATE to disarm them.

    The assignee is told. An unassigned ticket's warning goes to the supervisors of its team who are
    not away (shifts are the team's, so on shift they are all available; off shift the warning
    waits in their navigation count and mailbox), or, when every supervisor is away or the team has
    none, to the queue's manager if not away: whoever can assign it sees the breach in waiting.
    The candidates query runs only when a due ticket is unassigned."""
    rows = list(
        TicketSla.objects.filter(**{f"{field}__lte": now})
        .order_by(field)
        .values_list("ticket_id", "ticket__assignee_id", "ticket__reference", "first_response_due",
                     "resolution_due", "ticket__queue__team_id", "ticket__queue__manager_id")
        [:SWEEP_BATCH]
    )
    if not rows:
        return 0
    unassigned = [row for row in rows if row[1] is None]
    candidates = load_candidates(team_ids={row[5] for row in unassigned},
                                 manager_ids={row[6] for row in unassigned}) if unassigned else None
    notes = []
    for ticket_id, assignee_id, reference, fr_due, res_due, team_id, manager_id in rows:
        due = fr_due if field == "fr_warning_at" else res_due
        if due is None:
            continue
        key = f"sla_warning:{field}:{ticket_id}:{due.timestamp():.0f}"
        said = phrase("escalation.notice.sla_warning", reference=reference, target=phrase(target), due=due)
        if assignee_id is not None:
            recipients = [(key, assignee_id)]
        else:
            recipients = [(f"{key}:{user_id}", user_id) for user_id in _watchers(candidates, team_id, manager_id)]
        notes.extend(Notification(key=k, recipient_id=user_id, kind=Notification.Kind.SLA_WARNING,
                                  ticket_id=ticket_id, phrase=said) for k, user_id in recipients)
    with transaction.atomic():
        notify_many(notes)
        TicketSla.objects.filter(ticket_id__in=[r[0] for r in rows]).update(**{field: None})
    return len(rows)


def _watchers(candidates, team_id, manager_id) -> list[int]:
    present = [u.pk for u in candidates.supervisors(team_id) if not is_away(u)]
    if present:
        return present
    manager = candidates.users.get(manager_id) if manager_id else None
    return [manager.pk] if manager is not None and not is_away(manager) else []


BREACHES = (  # alarm column, flag set when it fires, trigger
    ("fr_breach_at", "first_response_breached", Trigger.SLA_FIRST_RESPONSE),
    ("res_breach_at", "resolution_breached", Trigger.SLA_RESOLUTION),
    ("complaint_at", None, Trigger.COMPLAINT),
)


def _breach_reason(trigger: str) -> Phrase:
    return phrase({
        Trigger.SLA_FIRST_RESPONSE: "escalation.reason.first_response_breached",
        Trigger.SLA_RESOLUTION: "escalation.reason.resolution_breached",
        Trigger.COMPLAINT: "escalation.reason.complaint_overdue",
    }[trigger])


def _breaches(now: datetime) -> dict[str, int]:
    """Per alarm kind one indexed SELECT of what is due and one UPDATE to disarm it; then the
    tickets in one query and one batch raise for every firing of the sweep."""
    due: list[tuple[int, str]] = []
    counts: dict[str, int] = {}
    for field, flag, trigger in BREACHES:
        ticket_ids = list(
            TicketSla.objects.filter(**{f"{field}__lte": now}).order_by(field).values_list("ticket_id", flat=True)
            [:SWEEP_BATCH]
        )
        counts[trigger] = len(ticket_ids)
        if not ticket_ids:
            continue
        TicketSla.objects.filter(ticket_id__in=ticket_ids).update(**{field: None, **({flag: True} if flag else {})})
        due.extend((ticket_id, trigger) for ticket_id in ticket_ids)
    if due:
        tickets = (Ticket.objects.filter(pk__in={ticket_id for ticket_id, _t in due},
                                         status__in=Ticket.OPEN_STATUSES)
                   .select_related("queue").in_bulk())
        firings = [(tickets[ticket_id], trigger, _breach_reason(trigger)) for ticket_id, trigger in due
                   if ticket_id in tickets]
        escalations_raise_many(firings=firings, now=now)
    return counts


def sla_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Everything time-based that is due: SLA warnings and breaches, complaints, acknowledgement tier-ups."""
    with memoised(), batched():
        return _sweep(now or timezone.now())


def _sweep(now: datetime) -> dict[str, int]:
    done = {
        "first_response_warnings": _warn("fr_warning_at", "escalation.sla.first_response", now),
        "resolution_warnings": _warn("res_warning_at", "escalation.sla.resolution", now),
    }
    breaches = _breaches(now)
    done["first_response_breaches"] = breaches[Trigger.SLA_FIRST_RESPONSE]
    done["resolution_breaches"] = breaches[Trigger.SLA_RESOLUTION]
    done["complaints"] = breaches[Trigger.COMPLAINT]
    overdue = list(
        Escalation.objects.filter(ack_due_at__lte=now, state=Escalation.State.OPEN).order_by("ack_due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    done["tier_ups"] = escalations_tier_up_many(escalation_ids=overdue, now=now) if overdue else 0
    return done

