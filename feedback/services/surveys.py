"""The survey outbox: schedule a survey in the transaction that resolves the ticket, claim due rows,
send them in batches on one SMTP connection with a deterministic Message-ID, retry SMTP failures with
backoff, expire old ones.

The claim IS the lock. Claiming a batch is one statement (PostgreSQL: `UPDATE ... WHERE id IN (SELECT
... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING id`) that sets `state=sending` and `claimed_at`; that
timestamp is the claim's token: every later write of the batch says `WHERE claimed_at = <token>`, so a
worker whose claim went stale and was taken over by another writes nothing, and a worker never starts
a message once its claim is older than half the stale window (it hands the rest back).

Never doubled by a killed worker: as soon as the SMTP server accepts a message, its Message-ID is
written to the row (a one-row autocommit, asynchronous commit on PostgreSQL: it survives the worker,
only a database crash could lose it). The batch is then marked `sent` in one transaction (with the
reports' rollup). A re-claim of a stale `sending` row that already has its Message-ID finalises it
without sending it again; so a SIGKILL duplicates at most the one message in flight per process.
"""

import contextlib
import functools
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import Customer
from feedback import emails, rollup
from feedback.models import Survey
from tickets.models import Message, Tag, Ticket

logger = logging.getLogger(__name__)

ST = Survey.State
SR = Survey.SkipReason
LIVE_EXCLUDED = (ST.EXPIRED, ST.SKIPPED)  # states that allow a later survey for the same ticket
SURVEYED_STATES = (ST.SCHEDULED, ST.SENDING, ST.SENT, ST.ANSWERED)  # count for the throttle
# Tags an agent (or intake) puts on tickets that must never be surveyed.
NO_SURVEY_TAGS = {"spam": SR.SPAM, "merged": SR.MERGED, "duplicate": SR.DUPLICATE, "internal": SR.INTERNAL}
SENDABLE_TICKET_STATES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
BATCH_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def max_attempts() -> int:
    return getattr(settings, "SURVEY_MAX_ATTEMPTS", 5)


def retry_base_seconds() -> int:
    return getattr(settings, "SURVEY_RETRY_BASE_SECONDS", 60)


def stale_seconds() -> int:
    return getattr(settings, "SURVEY_CLAIM_STALE_SECONDS", 300)


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff after the n-th failed attempt: base, 2*base, 4*base, ... capped at a day."""
    return min(retry_base_seconds() * 2 ** max(attempts - 1, 0), 86400)


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
        "SELECT t.id, t.status, t.customer_id, t.assignee_id, t.queue_id, t.language, c.email, c.language, "  # noqa: S608
        f"(SELECT s.id FROM {q(survey)} s WHERE s.ticket_id = t.id AND (s.created_at >= COALESCE(t.resolved_at, %s) "
        f"OR s.state NOT IN ({live_excluded})) ORDER BY s.created_at DESC, s.id DESC LIMIT 1), "
        f"(SELECT g.name FROM {q(tag)} g JOIN {q(ticket_tags)} tt ON tt.tag_id = g.id "
        f"WHERE tt.ticket_id = t.id AND g.name IN ({names}) ORDER BY CASE g.name {rank} END LIMIT 1), "
        f"{throttled} "
        f"FROM {q(ticket)} t JOIN {q(customer)} c ON c.id = t.customer_id WHERE t.id IN ({{ids}}) ORDER BY t.id"
    )


SCHEDULE_COLUMNS = (
    "pk", "status", "customer_id", "assignee_id", "queue_id", "language", "email", "customer_language",
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
    """Write the survey rows for the resolution of `ticket_ids` (scheduled, or skipped with the reason).

    Called inside the transaction that resolves the tickets (no savepoint of its own: the caller's
    savepoint contains any failure): one SELECT for the facts of every ticket, one INSERT of the new
    rows (one more SELECT for rows that exist already, one for staff replies when no agent resolved).
    Idempotent for one resolution: a second call finds the rows and returns them. Never a second live
    survey for one ticket (a constraint too). The throttle holds within the batch: of one customer's
    tickets resolved together, only the first is surveyed. The Message-ID is set when the SMTP server
    accepts the email. Returns the tickets' surveys (existing and new) in ticket id order.
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
    for ticket in tickets:
        if ticket["existing_id"]:
            surveys.append(existing[ticket["existing_id"]])  # this resolution's, or never twice a ticket
            continue
        reason, note = _why_not_survey(ticket, skip_reason=skip_reason, auto_closed=ticket["pk"] in unanswered)
        if not reason and throttle and ticket["customer_id"] in surveyed_customers:
            reason, note = SR.THROTTLED.value, ""
        if not reason:
            surveyed_customers.add(ticket["customer_id"])
        surveys.append(Survey(
            ticket_id=ticket["pk"],
            customer_id=ticket["customer_id"],
            agent_id=ticket["assignee_id"] or actor_id,
            queue_id=ticket["queue_id"],
            language=ticket["customer_language"] or ticket["language"],
            state=ST.SKIPPED if reason else ST.SCHEDULED,
            skip_reason=reason,
            skip_note=note,
            due_at=due_at,
            created_at=now,
        ))
    Survey.objects.bulk_create([survey for survey in surveys if survey.pk is None])
    return surveys


def surveys_skip(*, ticket_ids: Sequence[int], reason: str) -> int:
    """Skip the pending surveys of these tickets (the agent's reason). Returns rows changed.

    The resolve itself writes the reason with a new survey (see feedback.receivers); this is for a
    survey that is already in the outbox.
    """
    code, note = _skip_reason_from_text(reason)
    with transaction.atomic():
        ids = list(_pending_of_tickets(ticket_ids).values_list("pk", flat=True))
        return Survey.objects.filter(pk__in=ids).update(state=ST.SKIPPED, skip_reason=code, skip_note=note)


def surveys_cancel_for_reopen(*, ticket_ids: Sequence[int]) -> int:
    """The tickets were reopened before their surveys went out: those surveys are skipped, not sent.

    A survey claimed by a worker right now (`sending`) is skipped too: the worker checks the ticket's
    status when it loads the batch, and its writes are conditional on its claim.
    """
    with transaction.atomic():
        ids = list(_pending_of_tickets(ticket_ids).values_list("pk", flat=True))
        return Survey.objects.filter(pk__in=ids).update(state=ST.SKIPPED, skip_reason=SR.REOPENED, skip_note="")


def _pending_of_tickets(ticket_ids: Sequence[int]):
    queryset = Survey.objects.filter(ticket_id__in=list(ticket_ids), state__in=Survey.PENDING_STATES)
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


# --- Claiming -------------------------------------------------------------------------------------


def _due_q(now) -> Q:
    stale = now - timedelta(seconds=stale_seconds())
    return Q(state=ST.SCHEDULED, due_at__lte=now) | Q(state=ST.SENDING, claimed_at__lt=stale)


@contextlib.contextmanager
def _async_commits():
    """The bookkeeping after the SMTP hand-off commits asynchronously (PostgreSQL): a database crash
    could lose its last fraction of a second (a duplicate later, never a lost survey); a killed worker
    cannot lose it. Saves a WAL flush (milliseconds on this disk) per accepted message."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def survey_claim_due(*, limit: int = BATCH_SIZE, now=None, survey_ids: Sequence[int] | None = None) -> list[int]:
    """Claim due, unsent surveys and mark them `sending` with `claimed_at = now` (the claim's token).

    Due: scheduled with `due_at <= now`, or `sending` with a claim older than the stale window (its
    worker died or its task was lost). Rows locked by another transaction are skipped, not waited for.
    `survey_ids` restricts the claim to those rows. Returns the claimed ids (in due order).
    """
    now = now or timezone.now()
    due = _due_q(now)
    if survey_ids is not None:
        due &= Q(pk__in=list(survey_ids))
    if connection.vendor == "postgresql":
        return _claim_postgresql(due, now=now, limit=limit)
    with transaction.atomic():
        ids = list(Survey.objects.filter(due).order_by("due_at", "id").values_list("pk", flat=True)[:limit])
        if ids:
            _claim_update(Survey.objects.filter(pk__in=ids), now)
    return ids


def _claim_update(queryset, now) -> int:
    # A scheduled row was never accepted by SMTP: forget any Message-ID an older version wrote on failure.
    return queryset.update(
        state=ST.SENDING,
        claimed_at=now,
        message_id=Case(When(state=ST.SCHEDULED, then=Value("")), default=F("message_id")),
    )


def _claim_postgresql(due: Q, *, now, limit: int) -> list[int]:
    """UPDATE ... WHERE id IN (SELECT id ... ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED) RETURNING id."""
    select_sql, select_params = (
        Survey.objects.filter(due, state__in=Survey.PENDING_STATES)
        .order_by("due_at", "id")
        .values("pk")[:limit]
        .query.sql_with_params()
    )
    table = connection.ops.quote_name(Survey._meta.db_table)
    sql = (
        f"UPDATE {table} SET state = %s, claimed_at = %s, "  # noqa: S608 - identifiers from the model
        f"message_id = CASE WHEN state = %s THEN '' ELSE message_id END "
        f"WHERE id IN ({select_sql} FOR UPDATE SKIP LOCKED) RETURNING id, due_at"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [ST.SENDING.value, now, ST.SCHEDULED.value, *select_params])
        rows = cursor.fetchall()
    return [pk for pk, _due in sorted(rows, key=lambda row: (row[1], row[0]))]


# --- Sending --------------------------------------------------------------------------------------


def _load_claimed(survey_ids: Sequence[int], claimed_at) -> list[Survey]:
    return list(
        Survey.objects.filter(pk__in=list(survey_ids), state=ST.SENDING, claimed_at=claimed_at)
        .select_related("ticket", "customer", "agent")
        .only(
            *(f.name for f in Survey._meta.concrete_fields),
            "ticket__reference",
            "ticket__subject",
            "ticket__status",
            "customer__name",
            "customer__email",
            "agent__first_name",
            "agent__last_name",
            "agent__username",
        )
        .order_by("due_at", "id")
    )


def survey_send_claimed(*, survey_ids: Sequence[int], claimed_at, now=None) -> dict[str, int]:
    """Send a claimed batch on one SMTP connection; mark it in one transaction. Returns outcome counts.

    Rows whose claim is no longer `claimed_at` (taken over after going stale, answered, skipped) are
    left alone. A row that already carries its Message-ID was accepted by SMTP before its worker died:
    it is marked sent, not sent again.
    """
    now = now or timezone.now()
    started = time.monotonic()
    budget = stale_seconds() / 2
    surveys = _load_claimed(survey_ids, claimed_at)
    accepted: list[int] = []
    reopened: list[int] = []
    failed: list[tuple[Survey, Exception]] = []
    released: list[int] = []
    outcomes: dict[str, int] = {}
    to_send = []
    for survey in surveys:
        if survey.ticket.status not in SENDABLE_TICKET_STATES:
            reopened.append(survey.pk)
        elif survey.message_id:
            accepted.append(survey.pk)  # accepted by SMTP under an earlier claim: finish the bookkeeping
            outcomes["recovered"] = outcomes.get("recovered", 0) + 1
        else:
            to_send.append(survey)
    with _async_commits():
        for survey in to_send:
            if time.monotonic() - started > budget:
                released.append(survey.pk)  # never start a message on a claim that may go stale
                continue
            message_id = emails.survey_message_id(survey)
            try:
                emails.deliver_survey(survey, message_id=message_id)
            except Exception as exc:
                failed.append((survey, exc))
                continue
            _mark_accepted(survey.pk, message_id)
            accepted.append(survey.pk)
        sent = _finish_batch(
            claimed_at=claimed_at, now=now, accepted=accepted, reopened=reopened, failed=failed, released=released
        )
    outcomes["sent"] = sent - outcomes.get("recovered", 0)
    for key, value in (("skipped", len(reopened)), ("released", len(released))):
        if value:
            outcomes[key] = value
    for survey, _exc in failed:
        key = "failed" if survey.attempts + 1 >= max_attempts() else "retry"
        outcomes[key] = outcomes.get(key, 0) + 1
    return {key: value for key, value in outcomes.items() if value}


def _mark_accepted(survey_id: int, message_id: str) -> None:
    """The SMTP server took it: record that now, in its own (asynchronous) commit. One statement."""
    with connection.cursor() as cursor:
        cursor.execute(_MARK_ACCEPTED_SQL, [message_id, survey_id])


_MARK_ACCEPTED_SQL = f"UPDATE {Survey._meta.db_table} SET message_id = %s WHERE id = %s"  # noqa: S608


def _finish_batch(*, claimed_at, now, accepted, reopened, failed, released) -> int:
    """One transaction: sent rows (and the reports' rollup), skipped, retried or failed rows, released
    rows. Every write is conditional on the claim. Returns how many rows were marked sent."""
    expires = now + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
    mine = Survey.objects.filter(claimed_at=claimed_at)
    with transaction.atomic():
        sent_ids: list[int] = []
        if accepted:
            # A survey answered from the follow page while it was being sent stays answered, and is sent.
            batch = mine.filter(pk__in=accepted, state__in=(ST.SENDING, ST.ANSWERED))
            sent_ids = list(batch.values_list("pk", flat=True))
            Survey.objects.filter(pk__in=sent_ids).update(
                state=Case(When(state=ST.SENDING, then=Value(ST.SENT.value)), default=F("state")),
                sent_at=now,
                expires_at=expires,
                attempts=F("attempts") + 1,
                last_error="",
            )
            _rollup_sent(sent_ids, now)
        if reopened:
            mine.filter(pk__in=reopened, state=ST.SENDING).update(state=ST.SKIPPED, skip_reason=SR.REOPENED)
        if released:
            mine.filter(pk__in=released, state=ST.SENDING).update(state=ST.SCHEDULED)
        for survey, exc in failed:
            attempts = survey.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if attempts >= max_attempts():
                changes = {"state": ST.FAILED}
                logger.error("survey %s failed after %s attempts: %s", survey.pk, attempts, exc)
            else:
                changes = {"state": ST.SCHEDULED, "due_at": now + timedelta(seconds=backoff_seconds(attempts))}
                logger.warning("survey %s attempt %s failed: %s", survey.pk, attempts, exc)
            mine.filter(pk=survey.pk, state=ST.SENDING).update(attempts=attempts, last_error=error, **changes)
    return len(sent_ids)


def _rollup_sent(survey_ids: list[int], sent_at) -> None:
    """The reports' pre-aggregated counts, in the transaction that marks the batch sent."""
    if not survey_ids:
        return
    rollup.surveys_sent(survey_ids=survey_ids, sent_at=sent_at)


def survey_send_due(*, batch_size: int = BATCH_SIZE, budget_seconds: float = 30.0, now=None) -> dict[str, int]:
    """Claim and send due surveys, batch after batch, until none is due or the time budget is spent.

    Returns outcome counts plus `batches`, and `more` = 1 when it stopped with work left.
    """
    started = time.monotonic()
    totals: dict[str, int] = {"batches": 0}
    while True:
        claim_time = now or timezone.now()
        ids = survey_claim_due(limit=batch_size, now=claim_time)
        if not ids:
            return totals
        totals["batches"] += 1
        for key, value in survey_send_claimed(survey_ids=ids, claimed_at=claim_time, now=claim_time).items():
            totals[key] = totals.get(key, 0) + value
        if now is not None and len(ids) < batch_size:
            return totals  # a fixed clock (tests): what was due is done
        if time.monotonic() - started > budget_seconds:
            totals["more"] = 1
            return totals


def survey_send(*, survey_id: int, now=None) -> str:
    """Send one survey, once. Returns what happened: sent, retry, failed, skipped, or why nothing.

    The same path as a batch of one: claim the row (skipping it if another transaction holds it),
    send, mark. A second delivery of the same task finds it `sent`.
    """
    now = now or timezone.now()
    if survey_claim_due(limit=1, now=now, survey_ids=[survey_id]):
        outcomes = survey_send_claimed(survey_ids=[survey_id], claimed_at=now, now=now)
        return next(iter(outcomes), "nothing")
    row = Survey.objects.filter(pk=survey_id).values("state", "due_at").first()
    if row is None:
        logger.info("survey %s no longer exists", survey_id)
        return "missing"
    if row["state"] == ST.SCHEDULED and row["due_at"] > now:
        return "not due"
    if row["state"] in Survey.PENDING_STATES:
        return "locked"  # another worker holds or has claimed it right now
    return f"already {row['state']}"


# --- Staff and housekeeping -----------------------------------------------------------------------


def survey_retry_failed(*, survey_id: int) -> bool:
    """Staff put a failed survey back in the outbox (after fixing the mail server)."""
    updated = Survey.objects.filter(pk=survey_id, state=ST.FAILED).update(
        state=ST.SCHEDULED, due_at=timezone.now(), attempts=0, message_id=""
    )
    return bool(updated)


def survey_expire_old(*, now=None) -> int:
    """Sent surveys past their expiry, unanswered, become `expired` (a re-resolve may survey again)."""
    now = now or timezone.now()
    return Survey.objects.filter(state=ST.SENT, expires_at__lt=now).update(state=ST.EXPIRED)
