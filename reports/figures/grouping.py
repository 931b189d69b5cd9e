"""Group keys of every source, one GROUP BY query per figure, and what a group is called and links to.

The number of queries of a figure depends on the figures asked for, never on the number of agents,
weeks or groups: groups come from one GROUP BY, their names from one query per report.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet, Value
from django.db.models.functions import NullIf, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from reports.figures.filters import EpochWeek, week_monday
from tickets.models import Queue, Ticket


def rating_key(group: str):
    return {
        "agent": F("agent_id"),
        "team": F("team_id"),
        "queue": F("queue_id"),
        "kind": F("ticket_kind"),
        "company": F("company"),
        "week": EpochWeek(TruncDate("created_at")),
        "month": TruncMonth("created_at"),
        "all": None,
    }[group]


def survey_key(group: str):
    return {
        "agent": F("agent_id"),
        "team": F("queue__team_id"),
        "queue": F("queue_id"),
        "kind": F("ticket__kind"),
        "company": F("customer__company"),
        "week": EpochWeek(TruncDate("sent_at")),
        "month": TruncMonth("sent_at"),
        "all": None,
    }[group]


def rollup_key(group: str):
    """The same keys over the rollup tables (feedback.rollup), where 0 stands for "none"."""
    return {
        "agent": NullIf(F("agent"), Value(0)),
        "team": NullIf(F("team"), Value(0)),
        "queue": NullIf(F("queue"), Value(0)),
        "kind": F("kind"),
        "company": F("company"),
        "week": EpochWeek("day"),
        "month": TruncMonth("day"),
        "all": None,
    }[group]


def nps_key(group: str):
    return {
        "company": F("company"),
        "week": EpochWeek(TruncDate("answered_at")),
        "month": TruncMonth("answered_at"),
        "all": None,
    }[group]


def normalise_key(group: str, key):
    """Months come back as datetimes (aware or not) or dates depending on the backend: make them dates."""
    if group == "month" and isinstance(key, dt.datetime):
        if timezone.is_aware(key):
            key = timezone.localtime(key)
        return key.date()
    return key


def grouped(qs: QuerySet, key, **aggregates) -> list[dict]:
    """One GROUP BY query: [{"key": ..., **aggregates}], or a single row with key None when key is None."""
    if key is None:
        row = qs.aggregate(**aggregates)
        return [{"key": None, **row}] if any(v for v in row.values()) else []
    return list(qs.order_by().values(key=key).annotate(**aggregates).order_by("key"))


def sql_of(qs: QuerySet) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, to aggregate further in one statement."""
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def group_labels(group: str, keys) -> dict:
    """Readable names for group keys, fetched in one query per report (not one per group)."""
    keys = [k for k in keys if k is not None and k != ""]
    if group == "agent":
        users = get_user_model().objects.filter(id__in=keys).only("id", "first_name", "last_name", "username")
        return {u.id: u.get_full_name() or u.get_username() for u in users}
    if group == "team":
        return dict(Team.objects.filter(id__in=keys).values_list("id", "name"))
    if group == "queue":
        return dict(Queue.objects.filter(id__in=keys).values_list("id", "name"))
    if group == "kind":
        return {k: str(Ticket.Kind(k).label) if k in Ticket.Kind.values else k for k in keys}
    if group == "week":
        return {k: _("Week of %(monday)s") % {"monday": week_monday(k).isoformat()} for k in keys}
    if group == "month":
        return {k: k.strftime("%Y-%m") for k in keys}
    return {k: str(k) for k in keys}


def label(group: str, key, labels: dict) -> str:
    if key is None or key == "":
        return _("All") if group == "all" else _("(none)")
    return labels.get(key, str(key))


def key_param(group: str, key) -> dict:
    """The drill-down filter a group stands for, as query parameters."""
    if key is None or key == "" or group == "all":
        return {}
    if group in ("agent", "team", "queue", "kind", "company"):
        return {group: key}
    if group == "week":
        monday = week_monday(key)
        return {"date_from": monday.isoformat(), "date_to": (monday + dt.timedelta(days=6)).isoformat()}
    if group == "month":
        nxt = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return {"date_from": key.isoformat(), "date_to": (nxt - dt.timedelta(days=1)).isoformat()}
    return {}


def key_json(group: str, key):
    if group == "month" and key is not None:
        return key.isoformat()
    if group == "week" and key is not None:
        return week_monday(key).isoformat()
    return key
