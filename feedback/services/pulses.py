"""Agent pulse (ASAT, D5): one tap per resolved ticket, and a weekly "How was your week?"."""

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.exceptions import InvalidScore, PulseAnswerFinal, PulseNotYours
from feedback.models import AgentPulse
from feedback.pulse_privacy import answer_is_final
from helpdesk.dates import monday_of

PulseKind = AgentPulse.Kind


def _score(value) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise InvalidScore(low=1, high=5) from None
    if not 1 <= score <= 5:
        raise InvalidScore(low=1, high=5)
    return score


def pulse_request(*, agent_id: int, ticket_id: int, now=None) -> AgentPulse:
    """Ask the agent how the ticket felt (a pending pulse). Idempotent per (agent, ticket)."""
    now = now or timezone.now()
    existing = AgentPulse.objects.filter(agent_id=agent_id, ticket_id=ticket_id, kind=PulseKind.TICKET).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return AgentPulse.objects.create(
                agent_id=agent_id,
                ticket_id=ticket_id,
                kind=PulseKind.TICKET,
                week=monday_of(timezone.localdate(now)),
                created_at=now,
            )
    except IntegrityError:
        return AgentPulse.objects.get(agent_id=agent_id, ticket_id=ticket_id, kind=PulseKind.TICKET)


def pulses_ask(*, requests: Sequence[tuple[int, int]], now=None) -> None:
    """Ask each agent how their ticket felt, for (agent_id, ticket_id) pairs: one INSERT ... ON
    CONFLICT DO NOTHING (idempotent)."""
    now = now or timezone.now()
    week = monday_of(timezone.localdate(now))
    AgentPulse.objects.bulk_create(
        [
            AgentPulse(agent_id=agent_id, ticket_id=ticket_id, kind=PulseKind.TICKET, week=week, created_at=now)
            for agent_id, ticket_id in requests
        ],
        ignore_conflicts=True,
    )


def pulse_answer(*, agent, pulse_id: int, score, note: str = "", now=None) -> AgentPulse:
    """The agent answers (or changes) their own ticket pulse; an answer counted in a closed week is
    final (feedback.pulse_privacy)."""
    score = _score(score)
    now = now or timezone.now()
    with transaction.atomic():
        pulse = AgentPulse.objects.select_for_update().filter(pk=pulse_id, agent=agent).first()
        if pulse is None:
            raise PulseNotYours()
        if answer_is_final(pulse, now):  # the privacy rule: a published agent-week never changes
            raise PulseAnswerFinal()
        pulse.score, pulse.note, pulse.skipped, pulse.answered_at = score, (note or "").strip()[:2000], False, now
        pulse.save(update_fields=["score", "note", "skipped", "answered_at"])
    return pulse


def pulse_skip(*, agent, pulse_id: int) -> AgentPulse:
    with transaction.atomic():
        pulse = AgentPulse.objects.select_for_update().filter(pk=pulse_id, agent=agent).first()
        if pulse is None:
            raise PulseNotYours()
        if pulse.score is None:
            pulse.skipped = True
            pulse.save(update_fields=["skipped"])
    return pulse


def pulse_answer_for_ticket(*, agent, ticket_id: int, score, note: str = "", now=None) -> AgentPulse:
    """Answer the pulse of a ticket, creating it if the agent was not asked (e.g. from the API)."""
    pulse = pulse_request(agent_id=agent.pk, ticket_id=ticket_id, now=now)
    return pulse_answer(agent=agent, pulse_id=pulse.pk, score=score, note=note, now=now)


def weekly_pulse_answer(*, agent, score, note: str = "", week: date | None = None, now=None) -> AgentPulse:
    """How was your week? One answer per agent and week; answering again changes it, until the week
    is over (an answer counted in a closed week is final: feedback.pulse_privacy)."""
    score = _score(score)
    now = now or timezone.now()
    week = monday_of(week or timezone.localdate(now))
    with transaction.atomic():
        existing = AgentPulse.objects.select_for_update().filter(agent=agent, week=week, kind=PulseKind.WEEKLY).first()
        if existing is not None and answer_is_final(existing, now):
            raise PulseAnswerFinal()
        pulse, _created = AgentPulse.objects.update_or_create(
            agent=agent,
            week=week,
            kind=PulseKind.WEEKLY,
            defaults={"score": score, "note": (note or "").strip()[:2000], "skipped": False, "answered_at": now},
            create_defaults={
                "score": score,
                "note": (note or "").strip()[:2000],
                "answered_at": now,
                "created_at": now,
            },
        )
    return pulse
