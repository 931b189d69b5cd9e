"""Reads of escalations and remedies: permission-checked querysets for pages, the API and the nav bar."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from escalation.models import AuthorityLimit, Escalation, EscalationEvent, Remedy, TicketSla
from tickets.models import Membership, Ticket
from tickets.roles import Role, role_of
from tickets.selectors import team_ids_of, visible_to

User = get_user_model()

_PRIORITY_RANK = Case(
    When(ticket__priority=Ticket.Priority.URGENT, then=Value(4)),
    When(ticket__priority=Ticket.Priority.HIGH, then=Value(3)),
    When(ticket__priority=Ticket.Priority.NORMAL, then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)
_STATE_RANK = Case(
    When(state=Escalation.State.OPEN, then=Value(0)),
    When(state=Escalation.State.ACKNOWLEDGED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_TRIGGER_RANK = Case(  # an unhappy customer waiting beats a clock
    When(trigger="service_recovery", then=Value(3)),
    When(trigger__in=["complaint", "manual", "authority"], then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)


def escalations_visible_to(user) -> QuerySet[Escalation]:
    """Admins all; supervisors their teams', what is routed to them and their queues'; agents their
    teams' tickets' (read-only); customers nothing, ever."""
    role = role_of(user)
    escalations = Escalation.objects.all()
    if role == Role.ADMIN:
        return escalations
    if role == Role.SUPERVISOR:
        return escalations.filter(
            Q(assigned_to=user) | Q(team_id__in=team_ids_of(user)) | Q(queue__manager=user)
        )
    if role == Role.AGENT:
        return escalations.filter(ticket__in=visible_to(user))
    return escalations.none()


def _routed_to(user) -> Q:
    """Escalations routed to `user`; an admin's include those routed to nobody (theirs to pick up)."""
    mine = Q(assigned_to=user)
    if role_of(user) == Role.ADMIN:
        mine |= Q(assigned_to__isnull=True)
    return mine


def inbox_for(user, *, state: str = "open", scope: str = "all") -> QuerySet[Escalation]:
    """Newest and most urgent first: open before acknowledged, then trigger, priority, age."""
    escalations = escalations_visible_to(user)
    if scope == "mine":
        escalations = escalations.filter(_routed_to(user))
    if state == "open":
        escalations = escalations.filter(state__in=Escalation.OPEN_STATES)
    elif state == "closed":
        escalations = escalations.exclude(state__in=Escalation.OPEN_STATES)
    return (
        escalations.select_related("ticket__customer", "ticket__queue", "assigned_to", "agent", "team")
        .annotate(state_rank=_STATE_RANK, trigger_rank=_TRIGGER_RANK, priority_rank=_PRIORITY_RANK)
        .order_by("state_rank", "-trigger_rank", "-priority_rank", "-created_at", "-id")
    )


def with_triggers(escalations: QuerySet[Escalation], triggers: Sequence[str]) -> QuerySet[Escalation]:
    """Escalations that any of `triggers` fired on: the trigger they rank by, the one they were raised
    for, or one that joined them later (their history rows keep every firing's trigger)."""
    fired = EscalationEvent.objects.filter(escalation_id=OuterRef("pk"), trigger__in=list(triggers))
    return escalations.filter(Q(trigger__in=list(triggers)) | Q(Exists(fired)))


def escalation_triggers(escalation: Escalation, history: Sequence[EscalationEvent]) -> list[str]:
    """Every trigger that fired on the escalation, the one it ranks by first, from its (loaded) history."""
    fired = [escalation.trigger]
    for event in history:
        if event.trigger and event.trigger not in fired:
            fired.append(event.trigger)
    return fired


def escalation_get_for_user(*, user, pk) -> Escalation:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    escalation = (
        escalations_visible_to(user)
        .select_related("ticket__customer", "ticket__queue__team", "ticket__assignee", "assigned_to", "agent",
                        "raised_by", "resolved_by", "queue", "team")
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        raise Http404
    return escalation


def escalation_history(escalation: Escalation) -> QuerySet[EscalationEvent]:
    return escalation.events.select_related("actor").order_by("created_at", "id")


def open_count_for(user) -> int:
    """The navigation badge: open escalations routed to me (admins: also the unassigned ones), the
    same count as the inbox's "routed to you" (`open_counts_for`)."""
    return Escalation.objects.filter(_routed_to(user), state__in=Escalation.OPEN_STATES).count()


def open_counts_for(user) -> dict[str, int]:
    """What the inbox and the reports dashboard say is open now, in ONE query: `open`, the open
    escalations the user's inbox lists ("My teams"), and `mine`, those routed to them (the
    navigation badge's number, `open_count_for`)."""
    return escalations_visible_to(user).filter(state__in=Escalation.OPEN_STATES).aggregate(
        open=Count("id"), mine=Count("id", filter=_routed_to(user)))


def remedies_visible_to(user) -> QuerySet[Remedy]:
    role = role_of(user)
    remedies = Remedy.objects.select_related("ticket", "proposed_by", "decided_by", "escalation")
    if role == Role.ADMIN:
        return remedies
    if role in (Role.AGENT, Role.SUPERVISOR):
        return remedies.filter(ticket__in=visible_to(user))
    return remedies.none()


def remedy_get_for_user(*, user, pk) -> Remedy:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    remedy = remedies_visible_to(user).select_related("ticket__queue").filter(pk=pk).first()
    if remedy is None:
        raise Http404
    return remedy


def remedies_awaiting(user) -> QuerySet[Remedy]:
    """Pending remedies this user could decide (not their own)."""
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN):
        return Remedy.objects.none()
    return remedies_visible_to(user).filter(state=Remedy.State.PENDING).exclude(proposed_by=user)


def authority_limits_of(user) -> QuerySet[AuthorityLimit]:
    """Every limit that applies to `user`: their own and their role's, in any queue (the most specific
    one for a remedy is chosen by services.remedies.authority_limit_for)."""
    role = role_of(user)
    if role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return AuthorityLimit.objects.none()
    return (
        AuthorityLimit.objects.filter(Q(user=user) | Q(role=role.value, user__isnull=True))
        .select_related("queue").order_by("kind", "user_id", "queue__slug", "id")
    )


def remedies_of(user) -> QuerySet[Remedy]:
    return remedies_visible_to(user).filter(proposed_by=user)


def ticket_escalation_state(ticket: Ticket) -> dict:
    """What the ticket panel shows: the ticket's escalations and remedies (two queries)."""
    escalations = list(ticket.escalations.select_related("assigned_to").order_by("-created_at")[:5])
    remedies = list(ticket.remedies.select_related("proposed_by", "decided_by").order_by("-created_at")[:10])
    return {
        "open_escalation": next((e for e in escalations if e.is_open), None),
        "escalations": escalations,
        "remedies": remedies,
    }


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket as staff see it.

    `state`: running (due in the future), overdue (due passed), paused (the ticket is pending: the
    due time will move later when it resumes, so none is shown), met or missed (settled)."""

    kind: str  # first_response, resolution, complaint
    state: str
    due: datetime | None = None
    since: datetime | None = None  # paused since


@dataclass(frozen=True)
class SlaView:
    clocks: list[Clock]
    paused_at: datetime | None
    paused_seconds: int  # business seconds of the finished pauses of the current resolution clock


def _running(kind: str, due: datetime, now: datetime) -> Clock:
    return Clock(kind, "running" if due > now else "overdue", due=due)


def sla_clocks(sla: TicketSla, *, is_open: bool, now: datetime) -> list[Clock]:
    """The states of a ticket's SLA clocks: the ONE definition, shared by the ticket page and the list.

    While the ticket is pending the resolution and complaint clocks are paused: they show as paused,
    never as a countdown or overdue (their due times move later when the ticket resumes); the
    first-response clock does not pause (escalation.services.sla.PAUSING_ALARMS)."""
    paused = sla.paused_at is not None
    clocks: list[Clock] = []
    if sla.first_response_met is not None:
        clocks.append(Clock("first_response", "met" if sla.first_response_met else "missed",
                            due=sla.first_response_due))
    elif sla.first_response_due is not None and is_open:
        clocks.append(_running("first_response", sla.first_response_due, now))
    if sla.resolution_met is not None:
        clocks.append(Clock("resolution", "met" if sla.resolution_met else "missed", due=sla.resolution_due))
    elif is_open and paused and (sla.resolution_due is not None or sla.paused_alarms):
        clocks.append(Clock("resolution", "paused", since=sla.paused_at))
    elif is_open and sla.resolution_due is not None:
        clocks.append(_running("resolution", sla.resolution_due, now))
    if is_open and paused and sla.paused_alarms.get("complaint_at"):
        clocks.append(Clock("complaint", "paused", since=sla.paused_at))
    elif is_open and sla.complaint_at is not None:
        clocks.append(_running("complaint", sla.complaint_at, now))
    return clocks


def ticket_sla_view(ticket: Ticket, *, now: datetime | None = None) -> SlaView | None:
    """The ticket's SLA clocks for the ticket page (one query, whatever their states)."""
    sla = TicketSla.objects.filter(ticket_id=ticket.pk).first()
    if sla is None:
        return None
    clocks = sla_clocks(sla, is_open=ticket.is_open, now=now or timezone.now())
    return SlaView(clocks=clocks, paused_at=sla.paused_at if ticket.is_open else None,
                   paused_seconds=sla.paused_seconds)


# A running clock due within this much wall time shows as a warning in the ticket list. One fixed
# hour rather than the rule's warning window: the rule's warning alarm column is cleared once the
# sweep has sent the warning, so the list could not tell "warned" from "no warning rule" without
# loading every queue's rules; an hour is what an agent can still act on, whatever the policy.
DUE_SOON = timedelta(hours=1)
_LIVE = ("running", "overdue", "paused")


@dataclass(frozen=True)
class DueBadge:
    """The one clock a ticket list row shows: the next one to act on.

    `level`: neutral (due later), warning (due within DUE_SOON), danger (overdue), paused."""

    clock: Clock
    level: str


def next_clock(clocks: Sequence[Clock]) -> Clock | None:
    """The clock to act on next: the first response while it is owed, else the resolution; the
    complaint clock instead when it is armed and due earlier (or the other one is paused)."""
    live = {clock.kind: clock for clock in clocks if clock.state in _LIVE}
    main = live.get("first_response") or live.get("resolution")
    complaint = live.get("complaint")
    if complaint is None or complaint.due is None:
        return main or complaint
    if main is None or main.due is None or complaint.due < main.due:
        return complaint
    return main


def due_badge(clocks: Sequence[Clock], *, now: datetime) -> DueBadge | None:
    clock = next_clock(clocks)
    if clock is None:
        return None
    if clock.state == "paused":
        level = "paused"
    elif clock.state == "overdue":
        level = "danger"
    else:
        level = "warning" if clock.due - now <= DUE_SOON else "neutral"
    return DueBadge(clock=clock, level=level)


def list_due_badges(ticket_ids: Sequence[int], *, now: datetime | None = None) -> dict[int, DueBadge]:
    """The SLA badge of each open ticket of a list page, by ticket id, in ONE query whatever the
    page size. Resolved and closed tickets and tickets without an SLA row or policy have none."""
    ids = [pk for pk in ticket_ids if pk is not None]
    if not ids:
        return {}
    now = now or timezone.now()
    slas = TicketSla.objects.filter(ticket_id__in=ids, policy__isnull=False,
                                    ticket__status__in=Ticket.OPEN_STATUSES)
    badges = {}
    for sla in slas:
        badge = due_badge(sla_clocks(sla, is_open=True, now=now), now=now)
        if badge is not None:
            badges[sla.ticket_id] = badge
    return badges


def handlers_for(escalation: Escalation) -> QuerySet:
    """People an escalation can be reassigned to: the team's supervisors, the queue's manager, admins."""
    team_supervisors = Membership.objects.filter(team_id=escalation.team_id,
                                                 role=Membership.TeamRole.SUPERVISOR).values("user_id")
    manager_id = escalation.queue.manager_id if escalation.queue_id and escalation.queue else None
    return (
        User.objects.filter(
            Q(pk__in=team_supervisors) | Q(pk=manager_id) | Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value),
            is_active=True,
        )
        .exclude(pk__in=[i for i in (escalation.agent_id, escalation.raised_by_id) if i])
        .distinct()
        .order_by("first_name", "username")
    )


def escalated_tickets_per_agent(
    *, start: date, end: date, agent_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """How many distinct tickets of each agent were escalated in [start, end] (both days included,
    in the current time zone), in ONE GROUP BY query.

    The agent credited is `Escalation.agent`: the ticket's assignee when it was escalated (an
    escalation of an unassigned ticket counts for nobody). A ticket escalated twice in the window
    for the same agent counts once; `agent_ids` restricts the answer to those agents. Agents without
    an escalated ticket are absent from the result (read a missing key as 0).
    """
    tz = timezone.get_current_timezone()
    window_start = datetime.combine(start, time.min, tzinfo=tz)
    window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    escalations = Escalation.objects.filter(created_at__gte=window_start, created_at__lt=window_end,
                                            agent_id__isnull=False)
    if agent_ids is not None:
        escalations = escalations.filter(agent_id__in=list(agent_ids))
    rows = escalations.order_by().values("agent_id").annotate(n=Count("ticket_id", distinct=True))
    return {row["agent_id"]: row["n"] for row in rows}
