"""Changes of what the SLA clocks are computed from: policies and working calendars (edited in the admin).

A ticket's due times are computed when something happens to it and then stored (`sla.py`), so a change
of a policy or of a team's hours would otherwise reach only tickets opened after it. Here the open
tickets the change governs are recomputed in the same transaction, exactly as a change of their priority
or queue does (`sla_recompute`: due times from creation, alarms that already fired stay disarmed, a
reopened ticket keeps the clock its reopening started, resolved and closed tickets keep their outcome).

Cost: a handful of queries per governed open ticket (rules, policies and calendars are read once), paid
by the admin who saves the change; policies and calendars change rarely.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from escalation.models import SlaPolicy, TeamCalendar
from escalation.services.rules import memoised
from escalation.services.sla import sla_recompute
from tickets.models import Ticket

Scope = tuple[int | None, str]  # (queue id or None for every queue, priority)


def _open_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)


def _governed_by(scopes: Iterable[Scope]) -> set[int]:
    """The open tickets whose policy is, or was, the one of these scopes (read after the change)."""
    ids: set[int] = set()
    for queue_id, priority in set(scopes):
        tickets = _open_tickets().filter(priority=priority)
        if queue_id is not None:
            tickets = tickets.filter(queue_id=queue_id)
        else:  # the every-queue policy governs the queues without one of their own for this priority
            tickets = tickets.exclude(queue__sla_policies__priority=priority)
        ids.update(tickets.values_list("pk", flat=True))
    return ids


def _recompute(ticket_ids: Iterable[int]) -> int:
    ticket_ids = sorted(ticket_ids)
    with memoised():
        for ticket_id in ticket_ids:
            sla_recompute(ticket_id=ticket_id)
    return len(ticket_ids)


@transaction.atomic
def sla_policy_save(*, policy: SlaPolicy) -> int:
    """Create or change a policy; the open tickets it governed or now governs get their clocks recomputed.
    Returns how many tickets were recomputed."""
    previous = SlaPolicy.objects.filter(pk=policy.pk).values_list("queue_id", "priority").first() if policy.pk else None
    policy.save()
    return _recompute(_governed_by([(policy.queue_id, policy.priority), *([previous] if previous else [])]))


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy) -> int:
    """Delete a policy; its open tickets fall back to the every-queue policy, or lose their clocks."""
    scope = (policy.queue_id, policy.priority)
    policy.delete()
    return _recompute(_governed_by([scope]))


@transaction.atomic
def sla_calendar_changed(*, team_ids: Iterable[int]) -> int:
    """A team's working calendar (hours, holidays, time zone) was saved or deleted: recompute the clocks
    of the team's open tickets in the calendar as it is now."""
    return _recompute(_open_tickets().filter(queue__team_id__in=set(team_ids)).values_list("pk", flat=True))


@transaction.atomic
def team_calendar_delete(*, calendar: TeamCalendar) -> int:
    """Delete a team's calendar: its open tickets are recomputed in the office hours of the team's time zone."""
    team_id = calendar.team_id
    calendar.delete()
    return sla_calendar_changed(team_ids=[team_id])
