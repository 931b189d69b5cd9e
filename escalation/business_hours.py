"""Business-hours arithmetic: the one place that knows what "8 working hours" means.

Pure functions over a `Calendar` value object (a time zone, weekly working periods — several per
day, for split shifts — and holidays: public holidays from the `holidays` library by country code
plus explicit extra dates). Everything is computed on aware datetimes; results are in UTC.

Definitions (the property tests in tests/escalation/test_business_hours.py hold us to them):
- `business_seconds_between(a, b, cal)`: the working time inside [a, b) (negative when b < a).
- `add_business_seconds(start, seconds, cal)`: the earliest instant t >= start such that
  `business_seconds_between(start, t) == seconds`. So add(t, 0) == t, add is monotonic and
  additive (add(add(t, a), b) == add(t, a + b)), and for seconds > 0 the result is inside a working
  period (its end included).
Daylight-saving changes are handled by building each day's periods in local wall time and
converting them to UTC, so a 09:00-17:00 day is eight real hours on either side of a change.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_SEARCH_DAYS = 3 * 366  # a calendar without working time in three years is a configuration error


class NoWorkingTime(ValueError):
    """The calendar has no working period in the search window."""


@dataclass(frozen=True, order=True)
class Period:
    weekday: int  # Monday = 0
    start: time
    end: time  # time(0) means midnight at the end of the day

    def __post_init__(self):
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) .. 6 (Sunday)")
        if self.end != time(0) and self.end <= self.start:
            raise ValueError("a period must end after it starts")


@dataclass(frozen=True)
class Calendar:
    tz: str
    periods: tuple[Period, ...]
    holiday_country: str = ""
    holiday_subdivision: str = ""
    extra_holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls,
        *,
        tz: str,
        periods: Iterable[tuple[int, time, time]],
        holiday_country: str = "",
        holiday_subdivision: str = "",
        extra_holidays: Iterable[date] = (),
    ) -> Calendar:
        return cls(
            tz=tz,
            periods=tuple(sorted(Period(w, s, e) for w, s, e in periods)),
            holiday_country=holiday_country.upper(),
            holiday_subdivision=holiday_subdivision,
            extra_holidays=frozenset(extra_holidays),
        )

    @classmethod
    def office_hours(cls, tz: str = "UTC", start: time = time(9), end: time = time(17), **kwargs) -> Calendar:
        """Monday to Friday, one period a day: the default when a team has no calendar."""
        return cls.build(tz=tz, periods=[(d, start, end) for d in range(5)], **kwargs)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        if self.holiday_country:
            return day in _public_holidays(self.holiday_country, self.holiday_subdivision)
        return False

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local calendar day, in UTC, sorted and non-overlapping."""
        if self.is_holiday(day):
            return []
        zone = self.zone
        intervals = []
        for period in self.periods:
            if period.weekday != day.weekday():
                continue
            start = _to_utc(datetime.combine(day, period.start), zone)
            end_day = day + timedelta(days=1) if period.end == time(0) else day
            end = _to_utc(datetime.combine(end_day, period.end), zone)
            if end > start:
                intervals.append((start, end))
        intervals.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in intervals:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.lru_cache(maxsize=32)
def _public_holidays(country: str, subdivision: str):
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision or None)


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Local wall time -> UTC (fold=0: a repeated wall time is its first occurrence; a wall time in a
    spring-forward gap is read with the offset before the gap, i.e. shifted later by the gap)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("business-hours arithmetic needs aware datetimes")
    return value.astimezone(UTC)


def intervals_from(start: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) that end after `start`, in order, the first clipped to `start`."""
    start = _require_aware(start)
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    idle_days = 0
    cursor = start  # never yield time twice, even if a zone's midnight moves
    while True:
        found = False
        for begin, end in calendar.day_intervals(day):
            if end <= cursor:
                continue
            found = True
            yield max(begin, cursor), end
            cursor = end
        idle_days = 0 if found else idle_days + 1
        if idle_days > MAX_SEARCH_DAYS:
            raise NoWorkingTime(f"no working time within {MAX_SEARCH_DAYS} days of {start.isoformat()}")
        day += timedelta(days=1)


def add_business_seconds(start: datetime, seconds: float, calendar: Calendar) -> datetime:
    """The instant when `seconds` of working time have passed since `start` (UTC)."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    remaining = timedelta(seconds=seconds)
    if not remaining:
        return _require_aware(start)
    for begin, end in intervals_from(start, calendar):
        length = end - begin
        if remaining <= length:
            return begin + remaining
        remaining -= length
    raise AssertionError("unreachable")  # pragma: no cover - intervals_from is infinite or raises


def business_seconds_between(a: datetime, b: datetime, calendar: Calendar) -> float:
    """Working time in [a, b), in seconds; negative when b is before a."""
    a, b = _require_aware(a), _require_aware(b)
    if b < a:
        return -business_seconds_between(b, a, calendar)
    total = timedelta(0)
    if a == b:
        return 0.0
    for begin, end in intervals_from(a, calendar):
        if begin >= b:
            break
        total += min(end, b) - begin
    return total.total_seconds()


def is_working_time(moment: datetime, calendar: Calendar) -> bool:
    """Whether `moment` falls inside a working period (start included, end excluded)."""
    moment = _require_aware(moment)
    local_day = moment.astimezone(calendar.zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        if any(begin <= moment < end for begin, end in calendar.day_intervals(day)):
            return True
    return False


def shift_for_pause(due: datetime, paused_at: datetime, resumed_at: datetime, calendar: Calendar) -> datetime:
    """A due time after the clock was paused over [paused_at, resumed_at).

    The working time that was left at the pause is left at the resumption:
    `business_seconds_between(resumed_at, result) == business_seconds_between(paused_at, due)`,
    i.e. the due time moves later by the working time the pause covered (time outside working
    hours costs nothing). A due time that had already passed when the pause began stays as it was
    (the alarm is due at once). Results are in UTC.
    """
    due, paused_at, resumed_at = _require_aware(due), _require_aware(paused_at), _require_aware(resumed_at)
    if due <= paused_at or resumed_at <= paused_at:
        return due
    paused_for = business_seconds_between(paused_at, resumed_at, calendar)
    return add_business_seconds(due, paused_for, calendar)
