"""Acknowledgement targets count in business hours of the team's calendar, unless a rule says 24/7."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation import services
from escalation.models import Escalation, EscalationEvent, EscalationRule, TeamCalendar, Trigger, WorkingPeriod
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db

FRIDAY_EVENING = datetime(2026, 3, 13, 18, 0, tzinfo=UTC)
FRIDAY_LATE_AFTERNOON = datetime(2026, 3, 13, 16, 50, tzinfo=UTC)
SATURDAY_MORNING = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 16, tzinfo=UTC)


@pytest.fixture
def office_hours(team):
    """Monday to Friday 09:00-17:00 UTC."""
    calendar, _ = TeamCalendar.objects.get_or_create(team=team, defaults={"time_zone": "UTC"})
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        [WorkingPeriod(calendar=calendar, weekday=d, start=time(9), end=time(17)) for d in range(5)]
    )
    return calendar


def raise_manual(ticket, now):
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, reason_text="help", now=now)
    return escalation


def test_raised_on_friday_evening_it_is_due_on_monday_morning(office_hours, ticket, supervisor):
    escalation = raise_manual(ticket, FRIDAY_EVENING)
    assert escalation.assigned_to == supervisor
    assert escalation.ack_due_at == MONDAY.replace(hour=9, minute=30)


def test_minutes_left_on_friday_carry_over_to_monday(office_hours, ticket, supervisor):
    escalation = raise_manual(ticket, FRIDAY_LATE_AFTERNOON)
    assert escalation.ack_due_at == MONDAY.replace(hour=9, minute=20)


def test_not_overdue_on_saturday_morning_but_tiers_up_on_monday(office_hours, queue, ticket, supervisor, admin_user):
    escalation = raise_manual(ticket, FRIDAY_LATE_AFTERNOON)
    services.sla_sweep(now=SATURDAY_MORNING)
    escalation.refresh_from_db()
    assert escalation.assigned_to == supervisor
    assert not escalation.events.filter(kind=EscalationEvent.Kind.TIER_UP).exists()
    services.sla_sweep(now=MONDAY.replace(hour=9, minute=21))
    escalation.refresh_from_db()
    assert escalation.assigned_to == admin_user
    assert escalation.events.filter(kind=EscalationEvent.Kind.TIER_UP).count() == 1


def test_a_rule_can_count_the_acknowledgement_around_the_clock(office_hours, ticket, supervisor):
    esc.rule(Trigger.MANUAL, ack_minutes=15, ack_around_the_clock=1)
    escalation = raise_manual(ticket, FRIDAY_EVENING)
    assert escalation.ack_due_at == FRIDAY_EVENING + timedelta(minutes=15)


def test_the_tier_up_target_counts_in_business_hours_too(office_hours, queue, ticket, supervisor):
    manager = esc.user_with_role("supervisor")
    queue.manager = manager
    queue.save()
    ticket.refresh_from_db()
    escalation = raise_manual(ticket, MONDAY.replace(hour=16))
    assert escalation.ack_due_at == MONDAY.replace(hour=16, minute=30)
    services.escalation_tier_up(escalation_id=escalation.pk, now=MONDAY.replace(hour=16, minute=45))
    escalation.refresh_from_db()
    assert escalation.level == Escalation.Level.MANAGER
    assert escalation.ack_due_at == datetime(2026, 3, 17, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize("value", [0, 1])
def test_the_around_the_clock_flag_accepts_zero_and_one(value):
    EscalationRule(name="r", trigger=Trigger.MANUAL, parameters={"ack_around_the_clock": value}).clean()


@pytest.mark.parametrize("value", [-1, "yes", True])
def test_the_around_the_clock_flag_refuses_other_values(value):
    with pytest.raises(ValidationError):
        EscalationRule(name="r", trigger=Trigger.MANUAL, parameters={"ack_around_the_clock": value}).clean()


def test_other_parameters_still_refuse_zero():
    with pytest.raises(ValidationError):
        EscalationRule(name="r", trigger=Trigger.MANUAL, parameters={"ack_minutes": 0}).clean()
