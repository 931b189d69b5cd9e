"""The one parser of dates and date-times that people and clients send (query strings, forms, API bodies).

Every date parameter of the desk (the ticket list's and the API's `created_after`/`created_before`, the
ratings' `since`/`until`, the reports' and the escalation measures' `date_from`/`date_to`, the pulse's
`week`) is parsed here, so a bad value is a clear validation error everywhere and never reaches the
database or the date arithmetic:

- a date must lie within DATE_MIN..DATE_MAX: the week arithmetic, "the day after" and time-zone
  shifts stay far from date.min/max (0001-01-01 and 9999-12-31 raised OverflowError);
- a date-time's UTC offset must name a real place (at most ±14:00): PostgreSQL refuses offsets beyond
  ±15:59 with a DataError. Accepted date-times are normalised to UTC, so the database never sees an
  unusual offset;
- a date-time field also takes a plain date (what `<input type="date">` sends): the start of that day
  in the user's time zone.

What is accepted is exactly what the API schema documents: a day is `YYYY-MM-DD` (OpenAPI `date`), a
date-time is RFC 3339 (OpenAPI `date-time`: `2026-01-31T09:00:00+02:00`, `...Z`, fractions of a second
allowed, the offset required) or a day. Pages send days (`<input type="date">`).

`DateParameterField`/`DateTimeParameterField` are the form fields; `ApiDateField` the DRF serializer
field; helpdesk.filters.DateTimeParameterFilter the django-filter filter. All of them call
`parse_date`/`parse_datetime` below.
"""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

DATE_MIN = dt.date(1971, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)
MAX_UTC_OFFSET = dt.timedelta(hours=14)
MAX_INPUT_LENGTH = 64  # the longest RFC 3339 date-time is about 35 characters
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
RFC3339_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\Z")

# How the API documents them: an empty value means "not given" (HTML forms send every field).
EMPTY = {"type": "string", "enum": [""]}
DATE_SCHEMA = {"anyOf": [{"type": "string", "format": "date"}, EMPTY]}
DATETIME_SCHEMA = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}, EMPTY]}

INVALID_DATE = forms.DateField.default_error_messages["invalid"]
INVALID_DATETIME = forms.DateTimeField.default_error_messages["invalid"]


def _out_of_range() -> ValidationError:
    return ValidationError(
        _("Choose dates between %(first)s and %(last)s.") % {"first": DATE_MIN, "last": DATE_MAX}, code="range"
    )


def _check_range(day: dt.date) -> None:
    if not DATE_MIN <= day <= DATE_MAX:
        raise _out_of_range()


def parse_date(value: str) -> dt.date:
    """A calendar day written YYYY-MM-DD (or any ISO 8601 date), within DATE_MIN..DATE_MAX."""
    text = str(value).strip()
    try:
        day = dateparse.parse_date(text) if DAY_RE.match(text) else None
    except ValueError:  # well formed, but not a day of the calendar (2026-02-30)
        day = None
    if day is None:
        raise ValidationError(INVALID_DATE, code="invalid")
    _check_range(day)
    return day


def parse_datetime(value: str) -> dt.datetime:
    """An ISO 8601 date-time (or a plain date: its first moment in the current time zone), in UTC."""
    text = str(value).strip()
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(INVALID_DATETIME, code="invalid")
    try:
        moment = dateparse.parse_datetime(text.upper()) if RFC3339_RE.match(text) else None
    except ValueError:  # 2026-02-30T10:00:00Z, 25:00, or an offset of 24 hours or more
        moment = None
    if moment is None:
        try:
            day = dateparse.parse_date(text) if DAY_RE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            raise ValidationError(INVALID_DATETIME, code="invalid")
        _check_range(day)
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):  # a day: its first moment where the user is
        _check_range(moment.date())
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            _("Give a UTC offset between -14:00 and +14:00 (for example 2026-01-31T09:00:00+02:00)."),
            code="offset",
        )
    _check_range(moment.date())
    moment = moment.astimezone(dt.UTC)
    _check_range(moment.date())
    return moment


# --- Form fields (pages, and the forms the API shares with them) ------------------------------------------


class DateParameterField(forms.DateField):
    """A date, parsed by `parse_date`; shown as `<input type="date">`."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            _check_range(value)
            return value
        return parse_date(value)


class DateTimeParameterField(forms.DateTimeField):
    """A date-time (or a date), parsed by `parse_datetime`: aware, in UTC."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return parse_datetime(value.isoformat())
        if isinstance(value, dt.date):
            return parse_datetime(value.isoformat())
        return parse_datetime(value)

    def prepare_value(self, value):
        return value


# --- DRF (API request bodies and query serializers) -------------------------------------------------------


@extend_schema_field(DATE_SCHEMA)
class ApiDateField(serializers.DateField):
    """A DRF date field that parses with `parse_date` (the same rules and messages as the pages)."""

    def to_internal_value(self, value):
        if isinstance(value, dt.datetime):
            self.fail("datetime")
        try:
            return DateParameterField().to_python(value)
        except ValidationError as exc:
            raise serializers.ValidationError(list(exc.messages), code=exc.code) from exc
