"""The SLA history of the demo desk: clocks as if the desk had been running since its first ticket.

`replay_history` gives every demo ticket without a clock the clock it would have today:
- resolved and closed tickets: started when the ticket was created, settled when it was resolved
  (`slas_resolved`: met or missed) and, when closed, disarmed (`sla_closed`);
- open tickets: started when created, paused when they went pending, and the beat sweep
  (`sla_sweep`) run at each alarm's own time, so each breach was escalated when it happened; a
  supervisor acknowledged each escalation within minutes and resolved it within the next hours, at
  the latest by now. The latest breach before now is still being handled (acknowledged, open).
The replay goes CALM past now: an alarm due in the desk's first minutes has fired already (a
warning), or was escalated and handled the moment it fell due.

Everything goes through the escalation services, with their `now`; only the times are the demo's.
"""

import heapq
import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Min

from accounts.models import Membership
from accounts.roles import Role
from accounts.selectors import staff_in_team, users_with_role
from escalation import services
from escalation.models import Escalation, TicketSla
from escalation.services.rules import memoised
from tickets.models import Ticket, TicketEvent

User = get_user_model()

CALM = timedelta(minutes=10)  # no alarm of the demo falls due in the desk's first minutes
ALARMS = ("fr_warning_at", "fr_breach_at", "res_warning_at", "res_breach_at", "complaint_at")
ACK_MINUTES = (2, 12)  # shorter than any acknowledgement target (15 minutes): no tier-ups in the history
RESOLVE_MINUTES = (20, 150)
RESOLVE_NOTES = [
    "Called the customer, apologised for the wait and agreed the next step.",
    "Took a look with the agent; the fix is under way and the customer knows when to expect it.",
    "Moved the ticket up the agent's list and told the customer.",
    "Checked the order with the warehouse myself; the customer has the tracking number now.",
]


def replay_history(command, *, now: datetime) -> bool:
    """Clocks for every ticket that has none (the demo's history). False when there were none to do."""
    tickets = list(Ticket.objects.filter(sla__isnull=True).order_by("created_at")
                   .values_list("pk", "status", "resolved_at"))
    if not tickets:
        return False
    S = Ticket.Status
    with memoised(), transaction.atomic():
        for ticket_id, status, resolved_at in command.progress(tickets, "SLA clocks", total=len(tickets)):
            services.sla_start(ticket_id=ticket_id, now=now)
            if status in (S.RESOLVED, S.CLOSED) and resolved_at is not None:
                services.slas_resolved(ticket_ids=[ticket_id], resolved_at=resolved_at)
            if status == S.CLOSED:
                services.sla_closed(ticket_id=ticket_id)
        pending = [pk for pk, status, _resolved in tickets if status == S.PENDING]
        _Replay(rng=random.Random(command.options.get("seed", 42) + 13), now=now).run(_pauses(pending))
    return True


def _pauses(ticket_ids: list[int]) -> list[tuple[datetime, int]]:
    """When each pending ticket went pending (its last move to pending), oldest first."""
    rows = (TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind=TicketEvent.Kind.STATUS,
                                       to_value=Ticket.Status.PENDING)
            .values("ticket_id").annotate(at=Max("created_at")).order_by("at"))
    return [(row["at"], row["ticket_id"]) for row in rows]


class _Replay:
    """One timeline of the open tickets' history: pauses, sweeps, and the supervisors' handling."""

    def __init__(self, *, rng: random.Random, now: datetime):
        self.rng, self.now, self.until = rng, now, now + CALM
        self.actions: list[tuple[datetime, int, str, int]] = []  # a heap of (when, seq, ack|resolve, escalation)
        self.seq = 0
        self.latest: tuple[datetime, int] | None = None  # the last escalation raised before now

    def run(self, pauses: list[tuple[datetime, int]]) -> None:
        pauses = list(pauses)
        while True:
            alarm = self._next_alarm()
            pause = pauses[0][0] if pauses else None
            action = self.actions[0][0] if self.actions else None
            moments = [m for m in (alarm, pause, action) if m is not None and m <= self.until]
            if not moments:
                break
            moment = min(moments)
            if moment == action:
                when, _seq, kind, escalation_id = heapq.heappop(self.actions)
                self._act(when, kind, escalation_id)
            elif moment == pause:
                _at, ticket_id = pauses.pop(0)
                services.sla_pause(ticket_id=ticket_id, at=moment)
            else:
                self._sweep(moment)

    def _next_alarm(self) -> datetime | None:
        due = TicketSla.objects.aggregate(**{field: Min(field) for field in ALARMS})
        return min((moment for moment in due.values() if moment is not None), default=None)

    def _sweep(self, moment: datetime) -> None:
        before = Escalation.objects.aggregate(last=Max("pk"))["last"] or 0
        services.sla_sweep(now=moment)
        for escalation_id in Escalation.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True):
            self._schedule(escalation_id, raised=moment)

    def _schedule(self, escalation_id: int, *, raised: datetime) -> None:
        if raised > self.now:  # inside the calm margin: handled as it was raised
            acknowledged = resolved = raised
        else:
            acknowledged = min(raised + timedelta(minutes=self.rng.uniform(*ACK_MINUTES)), self.now)
            resolved = min(acknowledged + timedelta(minutes=self.rng.uniform(*RESOLVE_MINUTES)), self.now)
            if self.latest is None or raised >= self.latest[0]:
                self.latest = (raised, escalation_id)
        self._push(acknowledged, "ack", escalation_id)
        self._push(resolved, "resolve", escalation_id)

    def _push(self, when: datetime, action: str, escalation_id: int) -> None:
        self.seq += 1
        heapq.heappush(self.actions, (when, self.seq, action, escalation_id))

    def _act(self, when: datetime, action: str, escalation_id: int) -> None:
        escalation = Escalation.objects.select_related("ticket", "queue", "assigned_to").get(pk=escalation_id)
        if not escalation.is_open:
            return
        actor = escalation.assigned_to or _a_supervisor_of(escalation)
        if action == "ack":
            services.escalation_acknowledge(escalation=escalation, actor=actor, now=when)
            return
        still_on_it = self.latest is not None and escalation_id == self.latest[1] and when >= self.now
        if not still_on_it:  # the latest breach before now is still being handled: live, acknowledged
            services.escalation_resolve(escalation=escalation, actor=actor, now=when,
                                        note=self.rng.choice(RESOLVE_NOTES))


def _a_supervisor_of(escalation: Escalation):
    supervisor = staff_in_team(escalation.team_id, role=Membership.TeamRole.SUPERVISOR).order_by("username").first()
    return supervisor or users_with_role(Role.ADMIN).order_by("pk").first()
