"""Demo escalation data: calendars, SLA policies, rules, authority limits, SLA clocks for open tickets,
and a handful of escalations in several states, plus a remedy of "agent" awaiting "supervisor".

Runs after the tickets and feedback demos (INSTALLED_APPS order). Idempotent: each part is created
once and skipped when it exists.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from escalation import services
from escalation.models import (
    AuthorityLimit,
    Escalation,
    EscalationRule,
    RemedyKind,
    SlaPolicy,
    TeamCalendar,
    TicketSla,
    Trigger,
    WorkingPeriod,
)
from helpdesk.phrases import phrase
from tickets.models import Team, Ticket

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
    _clocks(command)
    _escalations(command)


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


def _clocks(command) -> None:
    ids = list(Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, sla__isnull=True).values_list("pk", flat=True))
    for ticket_id in command.progress(ids, "SLA clocks", total=len(ids)):
        services.sla_start(ticket_id=ticket_id)
    # Demo history is loaded muted (no events): pending tickets' clocks pause here, from their last change.
    for ticket_id, updated_at in Ticket.objects.filter(pk__in=ids, status=Ticket.Status.PENDING).values_list(
            "pk", "updated_at"):
        services.sla_pause(ticket_id=ticket_id, at=updated_at)


def _escalations(command) -> None:
    if Escalation.objects.exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "supervisor", "agent", "liisa"])}
    supervisor, agent, admin = users.get("supervisor"), users.get("agent"), users.get("admin")
    if not (supervisor and agent and admin):
        return
    tickets = list(
        Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, queue__team__slug="customer-care")
        .select_related("queue__team", "customer").order_by("-created_at")[:6]
    )
    if len(tickets) < 5:
        return
    now = timezone.now()

    def raise_(ticket, trigger, **kwargs):
        escalation, _ = services.escalation_raise(ticket=ticket, trigger=trigger, now=now - timedelta(hours=1),
                                                  **kwargs)
        return escalation

    raise_(tickets[0], Trigger.MANUAL, actor=agent, reason_code=Escalation.Reason.UPSET_CUSTOMER,
           reason_text="The customer has called three times and wants to speak to a manager.",
           tried="Apologised, explained the delivery delay, offered a callback.")
    acknowledged = raise_(tickets[1], Trigger.SLA_FIRST_RESPONSE,
                          reason_phrase=phrase("escalation.reason.first_response_breached"))
    services.escalation_acknowledge(escalation=acknowledged, actor=acknowledged.assigned_to or supervisor)
    raise_(tickets[2], Trigger.SERVICE_RECOVERY, reason_code=Escalation.Reason.UPSET_CUSTOMER,
           reason_phrase=phrase("escalation.reason.low_rating", stars=1),
           rating={"stars": 1, "comment": "Nobody read what I wrote.", "rating_id": None})
    returned = raise_(tickets[3], Trigger.MANUAL, actor=agent, reason_code=Escalation.Reason.POLICY_EXCEPTION,
                      reason_text="Wants a refund 40 days after purchase.")
    services.escalation_return(escalation=returned, actor=returned.assigned_to or supervisor,
                               guidance="Our 30-day rule allows a store credit: offer 25 EUR, it is within your limit.")
    # A remedy of "agent" above their authority, waiting for "supervisor" (Mari).
    remedy = services.remedy_propose(ticket=tickets[4], kind=RemedyKind.REFUND, amount=Decimal("120.00"),
                                     actor=agent, reason="Printer arrived broken; the customer returned it.")
    if remedy.escalation and remedy.escalation.assigned_to_id != supervisor.pk:
        services.escalation_reassign(escalation=remedy.escalation, actor=admin, to_user=supervisor,
                                     note="Mari handles billing approvals this week.")
    command.stdout.write(f"  {Escalation.objects.count()} escalations, {TicketSla.objects.count()} SLA clocks")
