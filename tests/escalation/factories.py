"""Escalation test data: calendars that are always (or never) on shift, policies, rules, limits."""

from datetime import time
from decimal import Decimal

from escalation.models import AuthorityLimit, EscalationRule, SlaPolicy, TeamCalendar, WorkingPeriod
from tests import factories


def always_open_calendar(team) -> TeamCalendar:
    calendar, _ = TeamCalendar.objects.get_or_create(team=team, defaults={"time_zone": "UTC"})
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        [WorkingPeriod(calendar=calendar, weekday=d, start=time(0), end=time(0)) for d in range(7)]
    )
    return calendar


def never_open_calendar(team) -> TeamCalendar:
    """One minute a week, on Sunday at 03:00 UTC: supervisors are practically always off shift."""
    calendar, _ = TeamCalendar.objects.get_or_create(team=team, defaults={"time_zone": "UTC"})
    calendar.periods.all().delete()
    WorkingPeriod.objects.create(calendar=calendar, weekday=6, start=time(3), end=time(3, 1))
    return calendar


def sla_policy(queue=None, priority="normal", first_response_hours=4, resolution_hours=16) -> SlaPolicy:
    return SlaPolicy.objects.create(queue=queue, priority=priority, first_response_hours=first_response_hours,
                                    resolution_hours=resolution_hours)


def rule(trigger, queue=None, is_active=True, **parameters) -> EscalationRule:
    return EscalationRule.objects.create(name=f"{trigger} rule", trigger=trigger, queue=queue, is_active=is_active,
                                         parameters=parameters)


def limit(kind="refund", max_amount=50, role="agent", user=None, queue=None, currency="EUR") -> AuthorityLimit:
    return AuthorityLimit.objects.create(kind=kind, max_amount=Decimal(str(max_amount)), role="" if user else role,
                                         user=user, queue=queue, currency=currency)


def away(user) -> None:
    user.profile.is_away = True
    user.profile.save(update_fields=["is_away"])


agent_in = factories.agent_in
supervisor_of = factories.supervisor_of
user_with_role = factories.user_with_role
TicketFactory = factories.TicketFactory
