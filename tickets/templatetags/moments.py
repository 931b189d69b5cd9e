"""Moments people may read in different time zones (an agent in Tallinn, a customer in New York): in the
reader's date style (the active language's DATETIME_FORMAT, helpdesk/formats) with the zone named.

    {% load moments %}
    {% moment message.created_at %}     <time datetime="…" title="Europe/Tallinn">Jan. 15, 2026, 12:30 p.m. EET</time>
    {{ message.created_at|with_zone }}  the text alone (plain-text emails)

Both use the active time zone: the user's (accounts.middleware), or the one a `{% timezone %}` block sets.
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()


def zone_label(value: datetime) -> str:
    """The zone's abbreviation at that moment ("EET", "EEST", "UTC"); "UTC+04" where it has none."""
    name = value.tzname() or ""
    return f"UTC{name}" if name[:1] in ("+", "-") else name


@register.filter(expects_localtime=True)
def with_zone(value, fmt: str = "DATETIME_FORMAT") -> str:
    if not isinstance(value, datetime):
        return ""
    text = date_format(value, fmt)
    zone = zone_label(value) if timezone.is_aware(value) else ""
    return f"{text} {zone}" if zone else text


@register.simple_tag
def moment(value, fmt: str = "DATETIME_FORMAT") -> str:
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}" title="{}">{}</time>', local.isoformat(),
                       timezone.get_current_timezone_name(), with_zone(local, fmt))
