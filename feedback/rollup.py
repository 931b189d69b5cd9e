"""The pre-aggregated ratings and surveys the reports read instead of scanning every rating.

Three tables hold the same counters (ratings per star, surveys sent, surveys answered) per DAY (in the
desk's time zone, settings.TIME_ZONE; weeks and months are sums of days) and per key:

- `RatingRollup`: day, agent, team, queue, ticket kind, customer company (the full key: any filter);
- `RatingRollupAgent`: day, agent, team (the trend, agent/team groups, burnout, the correlation);
- `RatingRollupCompany`: day, team, company (revenue at risk per company, the company grouping).

The full key alone would not shrink much at 1M ratings (with 100 companies almost every rating of a
day is a key of its own), hence the two narrow tables; `reports.figures.counts` reads the narrowest table
that holds every dimension a report filters or groups by (team always: it is the supervisors' scope).

Dating: a rating counts on the day it was first given (`Rating.created_at`; a change moves the count
from one star to another on that same day, it does not add a response). Surveys count on the day they
were SENT: `sent` when the send path calls `surveys_sent`, `answered` when their first rating arrives
(on the sent day, so that the response rate stays answered/sent over the surveys sent in the range).
A survey answered before it was sent (from the follow page) never counts, as before.

Maintained in the transaction of the change, by `rating_recorded` (feedback.services.ratings) and
`surveys_sent` (the survey send path), with INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n:
two workers touching the same key row add up, nothing is read and written back from Python.
`rollup_rebuild` recomputes everything in SQL (INSERT ... SELECT ... GROUP BY): the data migration,
the bench and demo data generators and `manage.py rollup_rebuild` (after bulk loads or deletions:
deleting tickets, surveys or ratings does not decrement the counters).

Dimensions are frozen when counted: the team of a queue, the kind of a ticket or the company of a
customer changed later do not move old counts until the next rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from feedback.models import Rating, RatingRollup, RatingRollupAgent, RatingRollupCompany, Survey
from tickets.models import Queue

ROLLUPS = (RatingRollup, RatingRollupAgent, RatingRollupCompany)
DIMENSIONS = ("agent", "team", "queue", "kind", "company")  # the full key, in this order
COUNTERS = ("n", "s1", "s2", "s3", "s4", "s5", "sent", "answered")


def local_day(when: dt.datetime) -> dt.date:
    """The day of a timestamp in the desk's time zone (the rollup's days)."""
    return timezone.localtime(when, timezone.get_default_timezone()).date()


def _key_of(model, full_key: tuple) -> tuple:
    by_name = dict(zip(DIMENSIONS, full_key, strict=True))
    return tuple(by_name[name] for name in model.KEY)


def _upsert_sql(model, select_sql: str) -> str:
    """INSERT the rows of `select_sql` (columns: day, the model's KEY, the COUNTERS) adding to existing rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    key = ("day", *model.KEY)
    columns = ", ".join(connection.ops.quote_name(c) for c in (*key, *COUNTERS))
    updates = ", ".join(f"{_q(c)} = {table}.{_q(c)} + excluded.{_q(c)}" for c in COUNTERS)
    conflict = ", ".join(connection.ops.quote_name(c) for c in key)
    return f"INSERT INTO {table} ({columns}) {select_sql} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


def _add(deltas: dict[tuple, dict[str, int]]) -> None:
    """Add counters to rows keyed by (day, *DIMENSIONS), in every rollup: one upsert per table."""
    if not deltas:
        return
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            merged: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
            for (day, *dims), counters in deltas.items():
                row = merged[(day, *_key_of(model, tuple(dims)))]
                for name, value in counters.items():
                    row[name] += value
            width = 1 + len(model.KEY) + len(COUNTERS)
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(merged))
            params: list = []
            for key, counters in sorted(merged.items()):  # one lock order for every writer: no deadlock
                params += [*key, *(counters[c] for c in COUNTERS)]
            cursor.execute(_upsert_sql(model, f"VALUES {values}"), params)


def rating_recorded(*, rating: Rating, previous_stars: int | None, survey: Survey, first_answer: bool) -> None:
    """Count a rating given (`previous_stars` None) or changed, in the caller's transaction.

    A new rating adds one response on its day; a change moves it from one star to another; the first
    answer of a survey that was sent adds one `answered` on the survey's sent day.
    """
    deltas: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    if previous_stars != rating.stars:
        key = (
            local_day(rating.created_at),
            rating.agent_id or 0,
            rating.team_id or 0,
            rating.queue_id or 0,
            rating.ticket_kind or "",
            rating.company or "",
        )
        deltas[key][f"s{rating.stars}"] += 1
        if previous_stars is None:
            deltas[key]["n"] += 1
        else:
            deltas[key][f"s{previous_stars}"] -= 1
    if first_answer and survey.sent_at is not None:
        deltas[(local_day(survey.sent_at), *_survey_dimensions(survey))]["answered"] += 1
    _add(dict(deltas))  # one statement per table, keys in one order


def _survey_dimensions(survey: Survey) -> tuple:
    """The full key of a survey as the rebuild counts it (survey's agent and queue, the queue's team,
    the ticket's kind, the customer's company), from the rows rating_submit already loaded."""
    ticket = survey.ticket
    if survey.queue_id == ticket.queue_id:
        team = ticket.queue.team_id if ticket.queue_id else 0
    else:
        team = Queue.objects.filter(pk=survey.queue_id).values_list("team_id", flat=True).first()
    return (survey.agent_id or 0, team or 0, survey.queue_id or 0, ticket.kind or "", survey.customer.company or "")


def _survey_keys(queryset, **leading):
    """Surveys grouped by `leading` columns (the rebuild's day) and the full key: k_agent, ..., k_company,
    c_sent, c_answered."""
    return (
        queryset.order_by()
        .values(
            **leading,
            k_agent=Coalesce("agent_id", 0),
            k_team=Coalesce("queue__team_id", 0),
            k_queue=Coalesce("queue_id", 0),
            k_kind=Coalesce("ticket__kind", Value("")),
            k_company=Coalesce("customer__company", Value("")),
        )
        .annotate(c_sent=Count("id"), c_answered=Count("id", filter=Q(answered_at__isnull=False)))
    )


def _add_surveys(*, survey_ids: Sequence[int], day: dt.date) -> None:
    """One INSERT ... SELECT ... ON CONFLICT per rollup table for a batch of surveys sent on `day`."""
    sub_sql, sub_params = _survey_keys(Survey.objects.filter(pk__in=list(survey_ids))).query.sql_with_params()
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            keys = ", ".join(f"k_{name}" for name in model.KEY)
            group = ", ".join(f"k_{name}" for name in model.KEY)
            select = (
                f"SELECT %s, {keys}, 0, 0, 0, 0, 0, 0, SUM(c_sent), SUM(c_answered) "  # noqa: S608
                f"FROM ({sub_sql}) sv WHERE 1 = 1 GROUP BY {group} ORDER BY {group}"
            )
            cursor.execute(_upsert_sql(model, select), [day, *sub_params])


def surveys_sent(*, survey_ids: Sequence[int], sent_at: dt.datetime) -> None:
    """Count surveys just sent (call it in the transaction that marks them sent, once per survey).

    One upsert per rollup table for the whole batch; surveys already answered count as answered too.
    """
    if not survey_ids:
        return
    _add_surveys(survey_ids=survey_ids, day=local_day(sent_at))


# --- Rebuild ---------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# Identifiers in the SQL below are model tables and columns, values are always parameters (noqa: S608).


def _rebuild_sql(rating_model, survey_model) -> tuple[str, list]:
    """SELECT day, DIMENSIONS, COUNTERS over every rating and every sent survey, grouped by the full key."""
    tz = timezone.get_default_timezone()
    stars = {f"c_s{s}": Count("id", filter=Q(stars=s)) for s in range(1, 6)}
    ratings = (
        rating_model.objects.order_by()
        .values(
            k_day=TruncDate("created_at", tzinfo=tz),
            k_agent=Coalesce("agent_id", 0),
            k_team=Coalesce("team_id", 0),
            k_queue=Coalesce("queue_id", 0),
            k_kind=F("ticket_kind"),
            k_company=F("company"),
        )
        .annotate(c_n=Count("id"), **stars)
    )
    surveys = _survey_keys(survey_model.objects.filter(sent_at__isnull=False), k_day=TruncDate("sent_at", tzinfo=tz))
    r_sql, r_params = ratings.query.sql_with_params()
    s_sql, s_params = surveys.query.sql_with_params()
    keys = "k_day, k_agent, k_team, k_queue, k_kind, k_company"
    sql = (
        f"SELECT {keys}, SUM(c_n), SUM(c_s1), SUM(c_s2), SUM(c_s3), SUM(c_s4), SUM(c_s5), "  # noqa: S608
        f"SUM(c_sent), SUM(c_answered) FROM ("
        f"SELECT {keys}, c_n, c_s1, c_s2, c_s3, c_s4, c_s5, 0 AS c_sent, 0 AS c_answered FROM ({r_sql}) r "
        f"UNION ALL "
        f"SELECT {keys}, 0, 0, 0, 0, 0, 0, c_sent, c_answered FROM ({s_sql}) s"
        f") u GROUP BY {keys}"
    )
    return sql, [*r_params, *s_params]


def _rebuild(rating_model, survey_model, full_model, narrow_models: Sequence[tuple]) -> int:
    """`narrow_models`: (model, key) pairs (historical models do not carry the KEY attribute)."""
    columns = ", ".join(_q(c) for c in ("day", *DIMENSIONS, *COUNTERS))
    select, params = _rebuild_sql(rating_model, survey_model)
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (full_model, *(m for m, _key in narrow_models)):
            cursor.execute(f"DELETE FROM {_q(model._meta.db_table)}")  # noqa: S608 - a model's table
        cursor.execute(f"INSERT INTO {_q(full_model._meta.db_table)} ({columns}) {select}", params)
        sums = ", ".join(f"SUM({_q(c)})" for c in COUNTERS)
        for model, model_key in narrow_models:
            key = ", ".join(_q(c) for c in ("day", *model_key))
            narrow_columns = ", ".join(_q(c) for c in ("day", *model_key, *COUNTERS))
            cursor.execute(
                f"INSERT INTO {_q(model._meta.db_table)} ({narrow_columns}) "  # noqa: S608
                f"SELECT {key}, {sums} FROM {_q(full_model._meta.db_table)} GROUP BY {key}"
            )
        cursor.execute(f"SELECT COUNT(*) FROM {_q(full_model._meta.db_table)}")  # noqa: S608 - a model's table
        return cursor.fetchone()[0]


def rollup_rebuild() -> int:
    """Recompute every rollup table from the ratings and surveys, in SQL, in one transaction.
    Returns the number of rows of the full table."""
    narrow = [(model, model.KEY) for model in (RatingRollupAgent, RatingRollupCompany)]
    return _rebuild(Rating, Survey, RatingRollup, narrow)


def rollup_rebuild_historical(apps, narrow_keys: dict[str, tuple[str, ...]]) -> int:
    """The same for a data migration: historical models, and the narrow keys as the migration knew them."""
    return _rebuild(
        apps.get_model("feedback", "Rating"),
        apps.get_model("feedback", "Survey"),
        apps.get_model("feedback", "RatingRollup"),
        [(apps.get_model("feedback", name), key) for name, key in narrow_keys.items()],
    )


def rollup_sizes() -> dict[str, int]:
    """Rows per rollup table (for the bench and the command)."""
    return {model.__name__: model.objects.count() for model in ROLLUPS}
