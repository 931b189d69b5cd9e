"""Query-string filters shared by the API's lists (and the pages that use the same filtersets).

Each one refuses what it cannot mean with a 400 (through the filterset's form), never passes it on:
an id beyond the database's integer range raised OverflowError (a 500); `open=maybe` was read as "no
filter"; a date-time filter is documented as taking a date or an RFC 3339 date-time, and takes exactly
those (helpdesk.dates parses them).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from helpdesk.dates import DATETIME_SCHEMA, DateTimeParameterField

MAX_DB_INTEGER = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_DB_INTEGER})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 to the database's largest integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_DB_INTEGER)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 5})
class StarsFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 5)
        super().__init__(*args, **kwargs)


class StrictNullBooleanField(forms.NullBooleanField):
    """`true`/`false` (or 1/0, True/False); anything else is an error instead of "no filter"."""

    widget = forms.TextInput
    TRUE = frozenset({"true", "True", "1"})
    FALSE = frozenset({"false", "False", "0"})

    def to_python(self, value):
        if value in (True, False, None, ""):
            return None if value == "" else value
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


@extend_schema_field(DATETIME_SCHEMA)
class DateTimeParameterFilter(django_filters.IsoDateTimeFilter):
    """A date-time (RFC 3339, with its UTC offset) or a day (YYYY-MM-DD: its start in the user's zone)."""

    field_class = DateTimeParameterField
