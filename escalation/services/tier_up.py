"""Tier-up: an escalation not acknowledged in time moves one level up (team supervisor, queue manager,
administrator), one at a time or the sweep's batch, and says so in its history."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from escalation.models import Escalation, EscalationEvent, Remedy
from escalation.phrases import person
from escalation.services import routing
from escalation.services.escalations import _ack_due, _apply_route, _excluded_ids, _routed_notification
from escalation.services.lifecycle import history_add, seconds_since
from escalation.services.notifications import notify_many
from escalation.services.rules import memoised
from helpdesk.phrases import phrase

EventKind = EscalationEvent.Kind
logger = logging.getLogger(__name__)


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
        history_add(escalation, EventKind.TIER_UP, phrase=decision.explanation, now=now)
        return escalation
    _apply_route(escalation, decision, now=now, kind=EventKind.TIER_UP)
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
        events.append(EscalationEvent(escalation=escalation, kind=EventKind.TIER_UP, phrase=decision.explanation,
                                      seconds_since_raised=seconds_since(escalation, now), created_at=now))
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
