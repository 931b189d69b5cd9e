"""Business-hours arithmetic: examples first, then properties over random instants and calendars."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation.business_hours import (
    Calendar,
    NoWorkingTime,
    add_business_seconds,
    business_seconds_between,
    is_working_time,
)

TALLINN = ZoneInfo("Europe/Tallinn")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600

OFFICE_TALLINN = Calendar.office_hours("Europe/Tallinn", holiday_country="EE")
OFFICE_NEW_YORK = Calendar.office_hours("America/New_York", holiday_country="US")
SPLIT_SHIFT = Calendar.build(
    tz="Europe/Tallinn",
    periods=[(d, time(8), time(12)) for d in range(6)] + [(d, time(13), time(17, 30)) for d in range(6)],
    extra_holidays=[date(2026, 3, 11)],
)
NIGHT_SHIFT = Calendar.build(  # periods that cross the DST change hours (03:00/04:00 in Tallinn)
    tz="Europe/Tallinn", periods=[(d, time(0), time(6)) for d in range(7)] + [(d, time(22), time(0)) for d in range(7)]
)
CALENDARS = [OFFICE_TALLINN, OFFICE_NEW_YORK, SPLIT_SHIFT, NIGHT_SHIFT]


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_friday_afternoon_plus_two_hours_lands_on_monday_morning():
    friday_4pm = local(TALLINN, 2026, 3, 13, 16)
    assert add_business_seconds(friday_4pm, 2 * HOUR, OFFICE_TALLINN) == local(TALLINN, 2026, 3, 16, 10)


def test_public_holiday_is_skipped():
    # 24 Feb 2026 (Tuesday) is Estonia's Independence Day.
    monday_4pm = local(TALLINN, 2026, 2, 23, 16)
    assert add_business_seconds(monday_4pm, 2 * HOUR, OFFICE_TALLINN) == local(TALLINN, 2026, 2, 25, 10)


def test_explicit_extra_holiday_is_skipped():
    tuesday_end = local(TALLINN, 2026, 3, 10, 17, 30)
    assert add_business_seconds(tuesday_end, HOUR, SPLIT_SHIFT) == local(TALLINN, 2026, 3, 12, 9)


def test_split_shift_lunch_break_is_not_counted():
    assert add_business_seconds(local(TALLINN, 2026, 3, 9, 11), 2 * HOUR, SPLIT_SHIFT) == local(TALLINN, 2026, 3, 9, 14)


def test_working_day_across_spring_forward_is_still_eight_real_hours_in_new_york():
    # 8 March 2026: US clocks go forward; Monday 9 March is a normal eight-hour day.
    friday_5pm = local(NEW_YORK, 2026, 3, 6, 17)
    monday_5pm = local(NEW_YORK, 2026, 3, 9, 17)
    assert business_seconds_between(friday_5pm, monday_5pm, OFFICE_NEW_YORK) == 8 * HOUR


def test_night_shift_on_the_fall_back_night_counts_the_repeated_hour():
    # 25 October 2026, 04:00 EEST -> 03:00 EET: the night 00:00-06:00 lasts seven real hours.
    start = local(TALLINN, 2026, 10, 25, 0)
    end = datetime(2026, 10, 25, 6, tzinfo=TALLINN)
    assert business_seconds_between(start, end, NIGHT_SHIFT) == 7 * HOUR


def test_night_shift_on_the_spring_forward_night_loses_an_hour():
    start = local(TALLINN, 2026, 3, 29, 0)
    end = local(TALLINN, 2026, 3, 29, 6)
    assert business_seconds_between(start, end, NIGHT_SHIFT) == 5 * HOUR


def test_result_is_utc_and_naive_input_is_refused():
    assert add_business_seconds(local(TALLINN, 2026, 3, 9, 9), 60, OFFICE_TALLINN).tzinfo == UTC
    with pytest.raises(ValueError):
        add_business_seconds(datetime(2026, 3, 9, 9), 60, OFFICE_TALLINN)


def test_calendar_without_working_time_raises_a_clear_error():
    empty = Calendar.build(tz="UTC", periods=[])
    with pytest.raises(NoWorkingTime):
        add_business_seconds(datetime(2026, 1, 1, tzinfo=UTC), 60, empty)


def test_is_working_time_respects_holidays_and_periods():
    assert is_working_time(local(TALLINN, 2026, 3, 9, 10), OFFICE_TALLINN)
    assert not is_working_time(local(TALLINN, 2026, 3, 9, 18), OFFICE_TALLINN)
    assert not is_working_time(local(TALLINN, 2026, 2, 24, 10), OFFICE_TALLINN)


# --- Properties ---------------------------------------------------------------------------------
# Instants spread over 2026, which contains both DST changes in Europe and North America.
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
durations = st.integers(min_value=0, max_value=60 * HOUR)
calendars = st.sampled_from(CALENDARS)
dst_days = st.sampled_from([datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC),
                            datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)])
near_dst = st.builds(lambda day, minutes: day + timedelta(minutes=minutes), dst_days,
                     st.integers(min_value=-36 * 60, max_value=36 * 60))
any_instant = st.one_of(instants, near_dst)
fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(any_instant, durations, durations, calendars)
def test_adding_is_additive(start, a, b, calendar):
    assert add_business_seconds(add_business_seconds(start, a, calendar), b, calendar) == add_business_seconds(
        start, a + b, calendar
    )


@fast
@given(any_instant, durations, durations, calendars)
def test_adding_is_monotonic(start, a, b, calendar):
    small, large = sorted((a, b))
    assert add_business_seconds(start, small, calendar) <= add_business_seconds(start, large, calendar)


@fast
@given(any_instant, durations, calendars)
def test_between_is_the_inverse_of_add(start, seconds, calendar):
    assert business_seconds_between(start, add_business_seconds(start, seconds, calendar), calendar) == seconds


@fast
@given(any_instant, st.integers(min_value=1, max_value=60 * HOUR), calendars)
def test_result_never_lands_outside_working_time(start, seconds, calendar):
    due = add_business_seconds(start, seconds, calendar)
    just_before = due - timedelta(seconds=1)
    assert due > start
    assert is_working_time(just_before, calendar)


@fast
@given(any_instant, any_instant, any_instant, calendars)
def test_between_is_additive_over_a_midpoint(a, b, c, calendar):
    a, b, c = sorted((a, b, c))
    assert business_seconds_between(a, c, calendar) == business_seconds_between(
        a, b, calendar
    ) + business_seconds_between(b, c, calendar)


@fast
@given(any_instant, any_instant, calendars)
def test_between_is_antisymmetric_and_never_exceeds_wall_time(a, b, calendar):
    forward = business_seconds_between(a, b, calendar)
    assert forward == -business_seconds_between(b, a, calendar)
    assert abs(forward) <= abs((b - a).total_seconds())
