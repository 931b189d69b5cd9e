"""SLA figures (escalation's clocks): first response and resolution in time, per queue and priority."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from escalation.models import TicketSla


def window(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    """[start, end) of the days asked, in the current time zone; by default the last 30 days."""
    tz = timezone.get_current_timezone()
    end_day = date_to or timezone.localdate()
    start_day = date_from or end_day - timedelta(days=29)
    start = datetime.combine(start_day, time.min, tzinfo=tz)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def sla_of_tickets_created(start: datetime, end: datetime):
    """The SLA rows (with a policy) of the tickets created in [start, end)."""
    return TicketSla.objects.filter(ticket__created_at__gte=start, ticket__created_at__lt=end, policy__isnull=False)


def sla_by_queue_and_priority(date_from, date_to, queue, team) -> list[dict]:
    """Per queue and priority: first responses and resolutions measured, met, and the share met."""
    slas = sla_of_tickets_created(*window(date_from, date_to))
    if queue is not None:
        slas = slas.filter(ticket__queue=queue)
    if team is not None:
        slas = slas.filter(ticket__queue__team=team)
    rows = (
        slas.values("ticket__queue__name", "ticket__priority")
        .annotate(
            fr_n=Count("pk", filter=Q(first_response_met__isnull=False)),
            fr_met=Count("pk", filter=Q(first_response_met=True)),
            res_n=Count("pk", filter=Q(resolution_met__isnull=False)),
            res_met=Count("pk", filter=Q(resolution_met=True)),
        )
        .order_by("ticket__queue__name", "ticket__priority")
    )
    return [
        {"queue": r["ticket__queue__name"], "priority": r["ticket__priority"],
         "first_response": {"n": r["fr_n"], "met": r["fr_met"], "share": share(r["fr_met"], r["fr_n"])},
         "resolution": {"n": r["res_n"], "met": r["res_met"], "share": share(r["res_met"], r["res_n"])}}
        for r in rows
    ]


def first_response_compliance(start: datetime, end: datetime) -> float | None:
    """The share of first responses in time among those measured, of tickets created in [start, end)."""
    row = sla_of_tickets_created(start, end).aggregate(
        n=Count("pk", filter=Q(first_response_met__isnull=False)),
        met=Count("pk", filter=Q(first_response_met=True)),
    )
    return share(row["met"], row["n"])
