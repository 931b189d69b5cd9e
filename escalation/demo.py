"""Demo escalation data: calendars, SLA policies, rules, authority limits, the SLA clocks of the demo's
history, and a handful of live escalations for the supervisors.

Runs after the tickets and feedback demos (INSTALLED_APPS order). Idempotent: the rules are created
once; clocks are written only for tickets that have none, and only then are the history replayed and
the live escalations raised (a second `seed_demo`, e.g. on the next `make run`, leaves a desk that has
been used alone).

A calm desk (issue 13.8): when beat and the worker start, nothing about the history may fall due.
- Resolved and closed tickets get their clock as it ended: first response and resolution met or
  missed, every alarm disarmed.
- For open tickets the beat sweep is replayed at each alarm's own time (`escalation_history`): the
  breaches of the past were escalated when they happened and the supervisor acknowledged and resolved
  them within the hour or two; the warnings went out. The replay runs CALM past now, so no alarm falls
  due in the desk's first minutes.
- The notifications written meanwhile are history: they went out when it happened (marked sent, and
  read). The live ones are marked sent too; only the agent's unread guidance counts in a badge.
- Live: a few open escalations of different triggers (a low rating with the customer's answer to
  "where did we go wrong", a remedy above the agent's authority, an agent's "get someone who can",
  the latest SLA breach), and one returned to its agent with guidance.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Team
from escalation import services
from escalation.demo_history import CALM, replay_history
from escalation.models import (
    AuthorityLimit,
    Escalation,
    EscalationRule,
    Notification,
    RemedyKind,
    SlaPolicy,
    TeamCalendar,
    TicketSla,
    Trigger,
    WorkingPeriod,
)
from outbox import services as outbox
from outbox.models import Delivery
from tickets.models import Ticket

User = get_user_model()

CALENDARS = {
    # slug: (time zone, holiday country, periods)
    "customer-care": ("Europe/Tallinn", "EE", [(d, time(8), time(12)) for d in range(5)]
                      + [(d, time(13), time(18)) for d in range(5)]),  # a split shift with a lunch break
    "technical-support": ("Europe/Amsterdam", "NL", [(d, time(9), time(17, 30)) for d in range(5)]
                          + [(5, time(10), time(14))]),
}
SLA = [  # priority, first response h, resolution h (business hours), for every queue
    (Ticket.Priority.URGENT, 1, 8),
    (Ticket.Priority.HIGH, 2, 16),
    (Ticket.Priority.NORMAL, 4, 24),
    (Ticket.Priority.LOW, 8, 40),
]
LIMITS = [  # role, kind, max
    ("agent", RemedyKind.REFUND, 50), ("agent", RemedyKind.DISCOUNT, 10), ("agent", RemedyKind.CREDIT, 25),
    ("agent", RemedyKind.REPLACEMENT, 100),
    ("supervisor", RemedyKind.REFUND, 500), ("supervisor", RemedyKind.DISCOUNT, 30),
    ("supervisor", RemedyKind.CREDIT, 250), ("supervisor", RemedyKind.REPLACEMENT, 1000),
    ("supervisor", RemedyKind.CANCELLATION, 10000),
]


def seed(command) -> None:
    _calendars(command)
    _policies_rules_limits(command)
    now = timezone.now()
    if not replay_history(command, now=now):
        command.stdout.write("  SLA clocks already present: history and live escalations skipped")
        return
    _mark_history_sent(now)
    _live_escalations(command, now)
    _mark_live_sent(now)
    live = Escalation.objects.filter(state__in=Escalation.OPEN_STATES).count()
    command.stdout.write(f"  {TicketSla.objects.count()} SLA clocks, {Escalation.objects.count()} escalations "
                         f"({live} open); nothing falls due in the next {CALM.seconds // 60} minutes")


def _calendars(command) -> None:
    for slug, (tz, country, periods) in CALENDARS.items():
        team = Team.objects.filter(slug=slug).first()
        if team is None or TeamCalendar.objects.filter(team=team).exists():
            continue
        calendar = TeamCalendar.objects.create(team=team, time_zone=tz, holiday_country=country)
        WorkingPeriod.objects.bulk_create(
            [WorkingPeriod(calendar=calendar, weekday=d, start=s, end=e) for d, s, e in periods]
        )
    command.stdout.write("  working calendars")


def _policies_rules_limits(command) -> None:
    for priority, first, resolution in SLA:
        SlaPolicy.objects.get_or_create(queue=None, priority=priority, defaults={
            "first_response_hours": first, "resolution_hours": resolution})
    for trigger in Trigger.values:
        EscalationRule.objects.get_or_create(queue=None, trigger=trigger, defaults={
            "name": str(Trigger(trigger).label), "parameters": {}})
    for role, kind, amount in LIMITS:
        AuthorityLimit.objects.get_or_create(role=role, user=None, queue=None, kind=kind,
                                             defaults={"max_amount": Decimal(amount)})
    command.stdout.write("  SLA policies, escalation rules, authority limits")


def _unsent_emails():
    return Notification.objects.filter(delivery__state=Delivery.State.PENDING).values_list("delivery_id", flat=True)


def _mark_history_sent(now) -> None:
    """The history's notifications went out when it happened: sent, and read by their recipients."""
    unsent = list(_unsent_emails())
    outbox.deliveries_record_as_sent(delivery_ids=unsent, at=now)
    Notification.objects.filter(delivery_id__in=unsent).update(read_at=now)


def _mark_live_sent(now) -> None:
    """The live escalations were raised minutes ago: their emails went out then (none is sent when the
    worker starts). Unread, they still count in the agents' badges."""
    outbox.deliveries_record_as_sent(delivery_ids=list(_unsent_emails()), at=now)


# --- Live escalations ---------------------------------------------------------------------------


def _live_tickets(queryset, n: int) -> list[Ticket]:
    """Open customer-care tickets without an open escalation, newest first. Never complaints: a
    message on one would arm its complaint clock, long overdue, and the first sweep would escalate it."""
    return list(
        queryset.filter(queue__team__slug="customer-care").exclude(kind=Ticket.Kind.COMPLAINT)
        .exclude(escalations__state__in=Escalation.OPEN_STATES)
        .select_related("queue__team", "customer", "assignee").order_by("-created_at")[:n]
    )


def _live_escalations(command, now) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "supervisor", "agent"])}
    supervisor, agent, admin = users.get("supervisor"), users.get("agent"), users.get("admin")
    if not (supervisor and agent and admin):
        return
    _low_rating_with_answer(now)
    tickets = _live_tickets(Ticket.objects.filter(status=Ticket.Status.OPEN, assignee=agent), 3)
    if len(tickets) < 3:
        tickets += _live_tickets(Ticket.objects.filter(status=Ticket.Status.OPEN)
                                 .exclude(pk__in=[t.pk for t in tickets]), 3 - len(tickets))
    if len(tickets) < 3:
        return
    manual, returned, refund = tickets

    def handler(escalation):
        return escalation.assigned_to or supervisor

    # "Get someone who can" (D6): raised 40 minutes ago, acknowledged at once.
    escalation, _created = services.escalation_raise(
        ticket=manual, trigger=Trigger.MANUAL, actor=manual.assignee or agent, now=now - timedelta(minutes=40),
        reason_code=Escalation.Reason.UPSET_CUSTOMER,
        reason_text="The customer has called three times and wants to speak to a manager.",
        tried="Apologised, explained the delivery delay, offered a callback.")
    services.escalation_acknowledge(escalation=escalation, actor=handler(escalation), now=now - timedelta(minutes=34))
    # An exception to a policy, returned to the agent with guidance a moment ago.
    escalation, _created = services.escalation_raise(
        ticket=returned, trigger=Trigger.MANUAL, actor=returned.assignee or agent, now=now - timedelta(minutes=55),
        reason_code=Escalation.Reason.POLICY_EXCEPTION, reason_text="Wants a refund 40 days after purchase.")
    services.escalation_return(escalation=escalation, actor=handler(escalation), now=now,
                               guidance="Our 30-day rule allows a store credit: offer 25 EUR, it is within your limit.")
    # A refund above the agent's authority, waiting for "supervisor" (Mari).
    remedy = services.remedy_propose(ticket=refund, kind=RemedyKind.REFUND, amount=Decimal("120.00"),
                                     actor=refund.assignee or agent, now=now,
                                     reason="Printer arrived broken; the customer returned it.")
    if remedy.escalation and remedy.escalation.assigned_to_id != supervisor.pk:
        services.escalation_reassign(escalation=remedy.escalation, actor=admin, to_user=supervisor, now=now,
                                     note="Mari handles billing approvals this week.")


def _low_rating_with_answer(now) -> None:
    """A customer rates a resolved ticket 1 star and answers the follow-up question, through the survey
    service: the rating reopens the ticket to a supervisor (service recovery, D6) as it would live.
    (The escalation follows after commit: at once when seeding runs in autocommit, as `seed_demo` does.)"""
    from feedback.models import Survey
    from feedback.services import rating_submit

    survey = (
        Survey.objects.filter(state=Survey.State.SENT, expires_at__gt=now, ticket__status=Ticket.Status.RESOLVED,
                              ticket__queue__team__slug="customer-care")
        .exclude(ticket__kind=Ticket.Kind.COMPLAINT).order_by("-sent_at").first()
    )
    if survey is None:
        return
    rating_submit(survey_id=survey.pk, stars=1, now=now - timedelta(minutes=5),
                  comment="The reply did not answer my question, and then the ticket was closed.",
                  follow_up="Read what I wrote before answering. I still need help: please call me.")
