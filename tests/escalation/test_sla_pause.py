"""The resolution and complaint clocks pause while a ticket is pending (waiting on the customer).

Due times move later by the business time spent pending, so the sweep's one indexed query still
selects exactly what is due; the first-response clock does not pause (see escalation/services/sla.py).
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import services
from escalation.business_hours import Calendar, add_business_seconds, business_seconds_between, shift_for_pause
from escalation.models import Escalation, Notification, TeamCalendar, TicketSla, Trigger, WorkingPeriod
from tests.escalation import factories as esc
from tickets import services as ticket_services
from tickets.models import Ticket

HOUR = 3600
MONDAY_9 = datetime(2026, 3, 16, 9, tzinfo=UTC)


def monday(hour, minute=0):
    return MONDAY_9.replace(hour=hour, minute=minute)


def tuesday(hour, minute=0):
    return monday(hour, minute) + timedelta(days=1)


# --- The arithmetic, as properties ---------------------------------------------------------------

CALENDARS = [
    Calendar.office_hours("Europe/Tallinn", holiday_country="EE"),
    Calendar.office_hours("America/New_York", holiday_country="US"),
    Calendar.build(tz="Europe/Tallinn", periods=[(d, time(8), time(12)) for d in range(6)]
                   + [(d, time(13), time(17, 30)) for d in range(6)]),
]
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))
spans = st.integers(min_value=0, max_value=80 * HOUR)
fast = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(instants, st.integers(min_value=1, max_value=40 * HOUR), spans, spans, st.sampled_from(CALENDARS))
def test_the_working_time_left_at_the_pause_is_left_at_the_resumption(start, target, before, pending, calendar):
    due = add_business_seconds(start, target, calendar)
    paused_at = start + timedelta(seconds=before)
    resumed_at = paused_at + timedelta(seconds=pending)
    shifted = shift_for_pause(due, paused_at, resumed_at, calendar)
    if due > paused_at:
        assert business_seconds_between(resumed_at, shifted, calendar) == business_seconds_between(
            paused_at, due, calendar)
        assert business_seconds_between(start, shifted, calendar) - business_seconds_between(
            paused_at, resumed_at, calendar) == pytest.approx(target, abs=1e-3)
    else:
        assert shifted == due


@fast
@given(instants, st.integers(min_value=1, max_value=40 * HOUR), spans, spans, st.sampled_from(CALENDARS))
def test_a_pause_never_brings_a_due_time_earlier(start, target, before, pending, calendar):
    due = add_business_seconds(start, target, calendar)
    paused_at = start + timedelta(seconds=before)
    assert shift_for_pause(due, paused_at, paused_at + timedelta(seconds=pending), calendar) >= due


@fast
@given(instants, st.integers(min_value=1, max_value=40 * HOUR), spans, spans, spans, st.sampled_from(CALENDARS))
def test_two_pauses_cost_what_they_cover_in_working_time(start, target, first, gap, pending, calendar):
    due = add_business_seconds(start, target, calendar)
    p1 = start + timedelta(seconds=first)
    r1 = p1 + timedelta(seconds=pending // 2)
    p2 = r1 + timedelta(seconds=gap)
    r2 = p2 + timedelta(seconds=pending - pending // 2)
    twice = shift_for_pause(shift_for_pause(due, p1, r1, calendar), p2, r2, calendar)
    if due > p1 and shift_for_pause(due, p1, r1, calendar) > p2:
        paused = business_seconds_between(p1, r1, calendar) + business_seconds_between(p2, r2, calendar)
        assert business_seconds_between(start, twice, calendar) - paused == pytest.approx(target, abs=1e-3)


def test_time_outside_working_hours_costs_nothing():
    office = Calendar.office_hours("UTC")
    friday_5pm, monday_9am = datetime(2026, 3, 13, 17, tzinfo=UTC), MONDAY_9
    due = MONDAY_9 + timedelta(hours=2)
    assert shift_for_pause(due, friday_5pm, monday_9am, office) == due


# --- The clocks, through the ticket's status changes ---------------------------------------------


@pytest.fixture
def office_hours(team):
    """Monday to Friday 09:00-17:00 UTC."""
    calendar, _ = TeamCalendar.objects.get_or_create(team=team, defaults={"time_zone": "UTC"})
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        [WorkingPeriod(calendar=calendar, weekday=d, start=time(9), end=time(17)) for d in range(5)]
    )
    return calendar


@pytest.fixture
def answered_ticket(db, office_hours, queue, customer, agent, supervisor):
    """Opened on Monday at 09:00 with an 8-hour resolution target (due Monday 17:00), already answered."""
    esc.sla_policy(queue=None, priority="normal", first_response_hours=2, resolution_hours=8)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MONDAY_9, first_response_at=monday(9, 30),
                                               status=Ticket.Status.OPEN, assignee=agent)
    services.sla_start(ticket_id=ticket.pk)
    sla = TicketSla.objects.get(ticket=ticket)
    assert (sla.resolution_due, sla.res_warning_at, sla.fr_breach_at) == (monday(17), monday(15, 24), None)
    ticket.refresh_from_db()
    return ticket


def move(ticket, status, at, capture, actor=None):
    ticket.refresh_from_db()
    with capture(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to_status=status, actor=actor, at=at)


needs_db = pytest.mark.django_db


@needs_db
def test_going_pending_holds_the_resolution_alarms(answered_ticket, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    sla = TicketSla.objects.get(ticket=answered_ticket)
    assert sla.paused_at == monday(11)
    assert (sla.res_warning_at, sla.res_breach_at) == (None, None)
    assert set(sla.paused_alarms) == {"res_warning_at", "res_breach_at"}


@needs_db
def test_a_pending_ticket_neither_warns_nor_breaches(answered_ticket, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    services.sla_sweep(now=tuesday(12))
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.SLA_WARNING).exists()


@needs_db
def test_leaving_pending_moves_the_due_times_by_the_business_time_spent_pending(
        answered_ticket, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    move(answered_ticket, Ticket.Status.OPEN, tuesday(10), django_capture_on_commit_callbacks)
    sla = TicketSla.objects.get(ticket=answered_ticket)
    # Pending 11:00 Monday -> 10:00 Tuesday is 7 working hours; 6 were left, so due at 16:00 Tuesday.
    assert (sla.resolution_due, sla.res_breach_at, sla.res_warning_at) == (tuesday(16), tuesday(16), tuesday(14, 24))
    assert (sla.paused_at, sla.paused_alarms, sla.paused_seconds) == (None, {}, 7 * HOUR)


@needs_db
def test_after_resuming_the_sweep_warns_and_breaches_on_the_moved_times(
        answered_ticket, agent, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    move(answered_ticket, Ticket.Status.OPEN, tuesday(10), django_capture_on_commit_callbacks)
    services.sla_sweep(now=tuesday(15, 59))
    assert Notification.objects.filter(kind=Notification.Kind.SLA_WARNING, recipient=agent).count() == 1
    assert not Escalation.objects.exists()
    services.sla_sweep(now=tuesday(16, 1))
    assert Escalation.objects.filter(ticket=answered_ticket, trigger=Trigger.SLA_RESOLUTION).count() == 1


@needs_db
def test_resolved_straight_from_pending_the_pending_time_does_not_count(
        answered_ticket, agent, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    move(answered_ticket, Ticket.Status.RESOLVED, tuesday(10), django_capture_on_commit_callbacks, actor=agent)
    sla = TicketSla.objects.get(ticket=answered_ticket)
    assert sla.resolution_met is True
    assert (sla.res_warning_at, sla.res_breach_at, sla.paused_at) == (None, None, None)


@needs_db
def test_the_first_response_clock_keeps_running_while_pending(office_hours, queue, customer, agent, supervisor,
                                                              django_capture_on_commit_callbacks):
    esc.sla_policy(queue=None, priority="normal", first_response_hours=2, resolution_hours=8)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MONDAY_9, assignee=agent)
    services.sla_start(ticket_id=ticket.pk)
    move(ticket, Ticket.Status.PENDING, monday(9, 30), django_capture_on_commit_callbacks)
    assert TicketSla.objects.get(ticket=ticket).fr_breach_at == monday(11)
    services.sla_sweep(now=monday(11, 1))
    assert Escalation.objects.filter(ticket=ticket, trigger=Trigger.SLA_FIRST_RESPONSE).count() == 1


@needs_db
def test_a_priority_change_while_pending_keeps_the_alarms_held(answered_ticket, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    esc.sla_policy(queue=None, priority="high", first_response_hours=1, resolution_hours=4)
    Ticket.objects.filter(pk=answered_ticket.pk).update(priority="high")
    services.sla_recompute(ticket_id=answered_ticket.pk)
    sla = TicketSla.objects.get(ticket=answered_ticket)
    assert (sla.res_warning_at, sla.res_breach_at, sla.paused_at) == (None, None, monday(11))
    assert sla.paused_alarms["res_breach_at"] == monday(13).isoformat()
    move(answered_ticket, Ticket.Status.OPEN, tuesday(10), django_capture_on_commit_callbacks)
    assert TicketSla.objects.get(ticket=answered_ticket).res_breach_at == tuesday(12)


@needs_db
def test_an_alarm_already_due_when_the_pause_began_fires_after_it(answered_ticket, supervisor,
                                                                  django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(17, 30), django_capture_on_commit_callbacks)
    move(answered_ticket, Ticket.Status.OPEN, tuesday(12), django_capture_on_commit_callbacks)
    assert TicketSla.objects.get(ticket=answered_ticket).res_breach_at == monday(17)
    services.sla_sweep(now=tuesday(12, 1))
    assert Escalation.objects.filter(ticket=answered_ticket, trigger=Trigger.SLA_RESOLUTION).count() == 1


@needs_db
def test_pause_and_resume_are_idempotent(answered_ticket, django_capture_on_commit_callbacks):
    move(answered_ticket, Ticket.Status.PENDING, monday(11), django_capture_on_commit_callbacks)
    assert services.sla_pause(ticket_id=answered_ticket.pk, at=monday(12)) is False
    move(answered_ticket, Ticket.Status.OPEN, tuesday(10), django_capture_on_commit_callbacks)
    assert services.sla_resume(ticket_id=answered_ticket.pk, at=tuesday(11)) is False
    assert TicketSla.objects.get(ticket=answered_ticket).resolution_due == tuesday(16)


@needs_db
def test_a_complaint_clock_pauses_too(office_hours, queue, customer, agent, supervisor,
                                      django_capture_on_commit_callbacks):
    esc.rule(Trigger.COMPLAINT, target_hours=4)
    ticket = esc.TicketFactory(queue=queue, customer=customer, kind=Ticket.Kind.COMPLAINT)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MONDAY_9, status=Ticket.Status.OPEN)
    services.sla_start(ticket_id=ticket.pk)
    assert TicketSla.objects.get(ticket=ticket).complaint_at == monday(13)
    move(ticket, Ticket.Status.PENDING, monday(10), django_capture_on_commit_callbacks)
    services.sla_sweep(now=monday(14))
    assert not Escalation.objects.exists()
    move(ticket, Ticket.Status.OPEN, monday(15), django_capture_on_commit_callbacks)
    assert TicketSla.objects.get(ticket=ticket).complaint_at == tuesday(10)
