"""Surveys after a ticket: scheduled in the transaction that resolves the ticket, skipped when they must
not go out (the agent's reason, a no-survey tag, a throttle, a reopen).

The email itself is a row of the outbox (`outbox.Delivery`, kind "survey", see `feedback.emails`),
written with the survey: the outbox claims it when due, sends it, retries it and fails it visibly, and
tells the survey (`feedback.services.survey_lifecycle`, the table of the survey's states).
"""

import functools
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Customer
from feedback.models import Survey
from feedback.services.survey_lifecycle import surveys_transition
from outbox import services as outbox
from tickets.models import Message, Tag, Ticket

logger = logging.getLogger(__name__)

ST = Survey.State
SR = Survey.SkipReason
LIVE_EXCLUDED = (ST.EXPIRED, ST.SKIPPED)  # states that allow a later survey for the same ticket
SURVEYED_STATES = (ST.SCHEDULED, ST.SENT, ST.ANSWERED)  # count for the throttle
# Tags an agent (or intake) puts on tickets that must never be surveyed.
NO_SURVEY_TAGS = {"spam": SR.SPAM, "merged": SR.MERGED, "duplicate": SR.DUPLICATE, "internal": SR.INTERNAL}
SENDABLE_TICKET_STATES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _skip_reason_from_text(text: str) -> tuple[str, str]:
    """Map the free reason the agent gave to a SkipReason (and keep the words as the note)."""
    key = (text or "").strip().lower()
    for reason in (SR.SPAM, SR.DUPLICATE, SR.INTERNAL, SR.MERGED):
        if key == reason.value or key.startswith(reason.value):
            return reason.value, text[:500]
    return SR.AGENT.value, text[:500]


# --- Scheduling (inside the resolving transaction) ------------------------------------------------


@functools.cache
def _schedule_sql(throttle: bool) -> str:
    """The tickets and every fact the decision needs in ONE statement (this runs in every resolve).

    Hand-written because compiling the equivalent ORM query (three correlated subqueries) cost more
    Python time per resolve than the database spent on it. Parameters: the epoch, the throttle's
    start (if `throttle`); then the ticket ids (the `{ids}` placeholder, filled by `_tickets_for_schedule`).
    Identifiers come from the models' metadata.
    """
    q = connection.ops.quote_name
    ticket, customer, tag = Ticket._meta.db_table, Customer._meta.db_table, Tag._meta.db_table
    ticket_tags, survey = Ticket.tags.through._meta.db_table, Survey._meta.db_table
    rank = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(NO_SURVEY_TAGS))
    names = ", ".join(f"'{name}'" for name in NO_SURVEY_TAGS)
    live_excluded = ", ".join(f"'{state.value}'" for state in LIVE_EXCLUDED)
    surveyed = ", ".join(f"'{state.value}'" for state in SURVEYED_STATES)
    throttled = (
        f"EXISTS (SELECT 1 FROM {q(survey)} o WHERE o.customer_id = t.customer_id AND o.state IN ({surveyed}) "  # noqa: S608
        "AND o.created_at >= %s AND o.ticket_id <> t.id)"
        if throttle
        else "0 = 1"
    )
    return (
        "SELECT t.id, t.reference, t.status, t.customer_id, t.assignee_id, t.queue_id, t.language, "  # noqa: S608
        "c.email, c.language, "
        f"(SELECT s.id FROM {q(survey)} s WHERE s.ticket_id = t.id AND (s.created_at >= COALESCE(t.resolved_at, %s) "
        f"OR s.state NOT IN ({live_excluded})) ORDER BY s.created_at DESC, s.id DESC LIMIT 1), "
        f"(SELECT g.name FROM {q(tag)} g JOIN {q(ticket_tags)} tt ON tt.tag_id = g.id "
        f"WHERE tt.ticket_id = t.id AND g.name IN ({names}) ORDER BY CASE g.name {rank} END LIMIT 1), "
        f"{throttled} "
        f"FROM {q(ticket)} t JOIN {q(customer)} c ON c.id = t.customer_id WHERE t.id IN ({{ids}}) ORDER BY t.id"
    )


SCHEDULE_COLUMNS = (
    "pk", "reference", "status", "customer_id", "assignee_id", "queue_id", "language", "email", "customer_language",
    "existing_id", "no_survey_tag", "throttled",
)  # fmt: skip


def _tickets_for_schedule(ticket_ids: Sequence[int], now) -> list[dict]:
    throttle = settings.SURVEY_THROTTLE_DAYS > 0
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(EPOCH)]
    if throttle:
        params.append(adapt(now - timedelta(days=settings.SURVEY_THROTTLE_DAYS)))
    sql = _schedule_sql(throttle).replace("{ids}", ", ".join(["%s"] * len(ticket_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ticket_ids])
        rows = cursor.fetchall()
    return [dict(zip(SCHEDULE_COLUMNS, row, strict=True)) for row in rows]


def _why_not_survey(ticket: dict, *, skip_reason: str, auto_closed: bool) -> tuple[str, str]:
    """("", "") if the ticket may be surveyed, else (SkipReason, note)."""
    if skip_reason:
        return _skip_reason_from_text(skip_reason)
    if ticket["no_survey_tag"]:
        return NO_SURVEY_TAGS[ticket["no_survey_tag"]].value, ""
    if not ticket["email"]:
        return SR.NO_EMAIL.value, ""
    if auto_closed:
        return SR.AUTO_CLOSED.value, ""
    if ticket.get("throttled"):
        return SR.THROTTLED.value, ""
    return "", ""


def _without_staff_reply(ticket_ids: list[int]) -> set[int]:
    """The tickets among `ticket_ids` nobody on the staff ever answered (one query)."""
    if not ticket_ids:
        return set()
    answered = Message.objects.filter(
        ticket_id__in=ticket_ids, kind=Message.Kind.REPLY, author_user__isnull=False
    ).values_list("ticket_id", flat=True)
    return set(ticket_ids) - set(answered)


def surveys_schedule(
    *, ticket_ids: Sequence[int], actor_id: int | None = None, skip_reason: str = "", now=None
) -> list[Survey]:
    """Write the survey rows for the resolution of `ticket_ids` (scheduled, or skipped with the reason),
    and the outbox row of each scheduled one's email, due after SURVEY_DELAY_SECONDS.

    Called inside the transaction that resolves the tickets (no savepoint of its own: the caller's
    savepoint contains any failure): one SELECT for the facts of every ticket, one INSERT of the
    deliveries and one of the surveys (one more SELECT for rows that exist already, one for staff
    replies when no agent resolved). Idempotent for one resolution: a second call finds the rows and
    returns them. Never a second live survey for one ticket (a constraint too). The throttle holds
    within the batch: of one customer's tickets resolved together, only the first is surveyed.
    Returns the tickets' surveys (existing and new) in ticket id order.
    """
    now = now or timezone.now()
    tickets = [t for t in _tickets_for_schedule(list(ticket_ids), now) if t["status"] in SENDABLE_TICKET_STATES]
    if not tickets:
        return []
    unanswered = _without_staff_reply([t["pk"] for t in tickets if not t["existing_id"]]) if actor_id is None else set()
    existing = Survey.objects.in_bulk([t["existing_id"] for t in tickets if t["existing_id"]])
    throttle = settings.SURVEY_THROTTLE_DAYS > 0
    surveyed_customers: set[int] = set()
    due_at = now + timedelta(seconds=max(settings.SURVEY_DELAY_SECONDS, 0))
    surveys: list[Survey] = []
    emails: list = []
    for ticket in tickets:
        if ticket["existing_id"]:
            surveys.append(existing[ticket["existing_id"]])  # this resolution's, or never twice a ticket
            continue
        reason, note = _why_not_survey(ticket, skip_reason=skip_reason, auto_closed=ticket["pk"] in unanswered)
        if not reason and throttle and ticket["customer_id"] in surveyed_customers:
            reason, note = SR.THROTTLED.value, ""
        language = ticket["customer_language"] or ticket["language"]
        survey = Survey(
            ticket_id=ticket["pk"],
            customer_id=ticket["customer_id"],
            agent_id=ticket["assignee_id"] or actor_id,
            queue_id=ticket["queue_id"],
            language=language,
            state=ST.SKIPPED if reason else ST.SCHEDULED,
            skip_reason=reason,
            skip_note=note,
            created_at=now,
        )
        if not reason:
            surveyed_customers.add(ticket["customer_id"])
            emails.append((survey, outbox.delivery_new(kind="survey", recipient=ticket["email"], language=language,
                                                       reference=ticket["reference"], due_at=due_at, now=now)))
        surveys.append(survey)
    for survey, delivery in zip((s for s, _d in emails), outbox.deliveries_create([d for _s, d in emails]),
                                strict=True):
        survey.delivery = delivery
    Survey.objects.bulk_create([survey for survey in surveys if survey.pk is None])
    return surveys


def surveys_skip(*, ticket_ids: Sequence[int], reason: str) -> int:
    """Skip the pending surveys of these tickets (the agent's reason). Returns rows changed.

    The resolve itself writes the reason with a new survey (see feedback.receivers); this is for a
    survey that is already in the outbox.
    """
    code, note = _skip_reason_from_text(reason)
    return _skip_pending(ticket_ids, skip_reason=code, skip_note=note, cancel_code="skipped")


def surveys_cancel_for_reopen(*, ticket_ids: Sequence[int]) -> int:
    """The tickets were reopened before their surveys went out: those surveys are skipped, not sent.

    A survey whose email a worker is building right now is skipped too: the worker sees it skipped
    when it builds the batch (`feedback.emails.SurveyKind`).
    """
    return _skip_pending(ticket_ids, skip_reason=SR.REOPENED, skip_note="", cancel_code="reopened")


def _skip_pending(ticket_ids: Sequence[int], *, skip_reason: str, skip_note: str, cancel_code: str) -> int:
    with transaction.atomic():
        pending = list(
            Survey.objects.filter(ticket_id__in=list(ticket_ids), state__in=Survey.PENDING_STATES)
            .values_list("pk", "delivery_id")
        )
        if not pending:
            return 0
        # The delivery first, the survey second: the order in which the outbox's closing transaction
        # writes them, so that the two never wait for each other.
        outbox.deliveries_cancel(delivery_ids=[delivery_id for _pk, delivery_id in pending], code=cancel_code)
        return surveys_transition(Survey.objects.filter(pk__in=[pk for pk, _d in pending]), ST.SKIPPED,
                                  skip_reason=skip_reason, skip_note=skip_note)


def survey_send(*, survey_id: int, now=None) -> str:
    """Send this survey's email now if it is due (the outbox's `delivery_send`); what happened, or why
    nothing did. A thin wrapper kept for the callers of the old name."""
    delivery_id = Survey.objects.filter(pk=survey_id).values_list("delivery_id", flat=True).first()
    if delivery_id is None:
        return "missing"
    return outbox.delivery_send(delivery_id=delivery_id, now=now)
