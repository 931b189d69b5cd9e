"""Claiming and sending the outbox's due rows (see `outbox.services` for the whole story): one claim
statement, one connection per transport and batch, the acceptance written at once, the batch marked in
one transaction with each kind's bookkeeping, failures retried with backoff on the row's due time."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox import kinds
from outbox.models import Delivery
from outbox.transports import TRANSPORTS

logger = logging.getLogger(__name__)

DS = Delivery.State
BATCH_SIZE = 50


def max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def stale_seconds() -> int:
    return settings.OUTBOX_CLAIM_STALE_SECONDS


def backoff_seconds(attempts: int) -> int:
    """Wait after the n-th failed attempt: base, 2*base, 4*base, ... capped at a day."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 86400)


def group_by_kind(rows: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk, kind_name in rows:
        grouped[kind_name].append(pk)
    return grouped


# --- Claiming -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    at: datetime
    ids: list[int]


def _due_q(now: datetime) -> Q:
    stale = now - timedelta(seconds=stale_seconds())
    return Q(state=DS.PENDING, due_at__lte=now) | Q(state=DS.SENDING, claimed_at__lt=stale)


def deliveries_claim_due(*, limit: int = BATCH_SIZE, now: datetime | None = None,
                         delivery_ids: Sequence[int] | None = None) -> Claim:
    """Claim up to `limit` due rows (only among `delivery_ids` if given); rows another transaction
    holds are skipped, not waited for. The claim's ids are in due order."""
    now = now or timezone.now()
    token = uuid.uuid4()
    due = _due_q(now) & Q(state__in=Delivery.PENDING_STATES)  # the partial index's condition
    if delivery_ids is not None:
        due &= Q(pk__in=list(delivery_ids))
    candidates = Delivery.objects.filter(due).order_by("due_at", "id")
    if connection.vendor == "postgresql":
        select_sql, select_params = candidates.values("pk")[:limit].query.sql_with_params()
        table = connection.ops.quote_name(Delivery._meta.db_table)
        sql = (
            f"UPDATE {table} SET state = %s, claimed_at = %s, claim_token = %s "  # noqa: S608 - model identifiers
            f"WHERE id IN ({select_sql} FOR UPDATE SKIP LOCKED) RETURNING id, due_at"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [DS.SENDING.value, now, token, *select_params])
            rows = sorted(cursor.fetchall(), key=lambda row: (row[1], row[0]))
        return Claim(token=token, at=now, ids=[pk for pk, _due in rows])
    with transaction.atomic():
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:  # conditional: a row claimed meanwhile by another process is no longer due
            Delivery.objects.filter(due, pk__in=ids).update(state=DS.SENDING, claimed_at=now, claim_token=token)
            ids = list(Delivery.objects.filter(pk__in=ids, claim_token=token).order_by("due_at", "id")
                       .values_list("pk", flat=True))
    return Claim(token=token, at=now, ids=ids)


# --- Sending --------------------------------------------------------------------------------------


@dataclass
class _Batch:
    accepted: list[Delivery] = field(default_factory=list)
    cancelled: dict[int, str] = field(default_factory=dict)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    recovered: int = 0


@contextlib.contextmanager
def _async_commits():
    """The acceptance writes commit asynchronously on PostgreSQL: a database crash could lose the last
    fraction of a second (a duplicate later, never a lost message); a killed worker cannot. Saves a WAL
    flush per accepted message."""
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


def deliveries_send_claimed(claim: Claim, *, now: datetime | None = None) -> dict[str, int]:
    """Build and send a claimed batch, one connection per transport; mark it in one transaction.
    Returns counts of what happened (sent, recovered, cancelled, retry, failed, released)."""
    started = time.monotonic()
    now = now or timezone.now()
    rows = list(Delivery.objects.filter(pk__in=claim.ids, claim_token=claim.token, state=DS.SENDING)
                .order_by("due_at", "id"))
    batch = _Batch()
    for row in rows:
        if row.sent_at is not None:  # accepted under an earlier claim: finish the bookkeeping only
            batch.accepted.append(row)
            batch.recovered += 1
    messages = _build([row for row in rows if row.sent_at is None], batch)
    with _async_commits():
        _send(messages, claim, batch, started)
        _finish(claim, batch, now)
    return _outcomes(batch)


def _build(rows: list[Delivery], batch: _Batch) -> list[tuple[Delivery, object]]:
    """Each kind builds its rows' messages in one go; a kind that fails fails its rows' attempt."""
    by_kind: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    built: dict[int, object] = {}
    for kind_name, group in by_kind.items():
        kind = kinds.get(kind_name)
        if kind is None:
            batch.cancelled.update({row.pk: "unknown_kind" for row in group})
            continue
        try:
            built.update(kind.build(group))
        except Exception as exc:
            logger.exception("outbox: building %s deliveries failed", kind_name)
            batch.failed.extend((row, _error_text(exc)) for row in group)
    messages = []
    failed = {row.pk for row, _error in batch.failed}
    for row in rows:
        if row.pk in batch.cancelled or row.pk in failed:
            continue
        message = built.get(row.pk, kinds.Cancel(kinds.GONE))
        if isinstance(message, kinds.Cancel):
            batch.cancelled[row.pk] = message.code
        else:
            messages.append((row, message))
    return messages


def _send(messages: list[tuple[Delivery, object]], claim: Claim, batch: _Batch, started: float) -> None:
    transports: dict[str, object] = {}
    budget = stale_seconds() / 2
    try:
        for row, message in messages:
            if time.monotonic() - started > budget:
                batch.released.append(row.pk)  # never start a message on a claim that may go stale
                continue
            transport = transports.get(row.transport)
            if transport is None:
                transport = transports[row.transport] = TRANSPORTS[row.transport]()
            try:
                message_id = transport.send(message)
            except Exception as exc:
                batch.failed.append((row, _error_text(exc)))
                continue
            row.sent_at, row.message_id = timezone.now(), message_id
            _mark_accepted(row, claim, recipient=_recipient(row, message))
            batch.accepted.append(row)
    finally:
        for transport in transports.values():
            transport.close()


_ACCEPTED_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET sent_at = %s, message_id = %s, recipient = %s "  # noqa: S608
    "WHERE id = %s AND claim_token = %s"
)


def _mark_accepted(row: Delivery, claim: Claim, *, recipient: str) -> None:
    """The server took it: recorded at once, in its own (asynchronous) commit. Written in SQL: the ORM's
    UPDATE cost six times the CPU, which the survey benchmark showed as a tenth of a worker's time."""
    field = Delivery._meta.get_field
    params = [field("sent_at").get_db_prep_value(row.sent_at, connection), row.message_id, recipient, row.pk,
              field("claim_token").get_db_prep_value(claim.token, connection)]
    with connection.cursor() as cursor:
        cursor.execute(_ACCEPTED_SQL, params)


def _recipient(row: Delivery, message) -> str:
    to = getattr(message, "to", None)
    return (", ".join(to) if to else row.recipient)[:320]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _finish(claim: Claim, batch: _Batch, now: datetime) -> None:
    """One transaction: sent, cancelled, retried or failed, released; each kind's bookkeeping with it.
    Every write is conditional on the claim."""
    mine = Delivery.objects.filter(claim_token=claim.token, state=DS.SENDING)
    with transaction.atomic():
        if batch.accepted:
            ids = list(mine.filter(pk__in=[row.pk for row in batch.accepted]).values_list("pk", flat=True))
            Delivery.objects.filter(pk__in=ids).update(state=DS.SENT, attempts=F("attempts") + 1, last_error="")
            _tell(batch.accepted, ids, lambda kind, kind_ids: kind.sent(kind_ids, now))
        for code in set(batch.cancelled.values()):
            ids = [pk for pk, reason in batch.cancelled.items() if reason == code]
            mine.filter(pk__in=ids).update(state=DS.CANCELLED, cancel_reason=code)
        if batch.cancelled:
            rows = list(Delivery.objects.filter(pk__in=list(batch.cancelled), claim_token=claim.token,
                                                state=DS.CANCELLED).values_list("pk", "kind"))
            for kind_name, ids in group_by_kind(rows).items():
                kind = kinds.get(kind_name)
                if kind is not None:
                    kind.cancelled({pk: batch.cancelled[pk] for pk in ids})
        if batch.released:
            mine.filter(pk__in=batch.released).update(state=DS.PENDING)
        if batch.failed:
            _record_failures(mine, batch.failed, now)


def _tell(rows: list[Delivery], ids: list[int], call) -> None:
    chosen = set(ids)
    for kind_name, kind_ids in group_by_kind((row.pk, row.kind) for row in rows if row.pk in chosen).items():
        kind = kinds.get(kind_name)
        if kind is not None:
            call(kind, kind_ids)


def _record_failures(mine, failed: list[tuple[Delivery, str]], now: datetime) -> None:
    """Back to pending with a later due time, or `failed` after the last attempt (rows grouped by
    attempt and error: a mail server that is down costs one UPDATE per batch)."""
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for row, error in failed:
        groups[(row.attempts + 1, error)].append(row)
    given_up: list[Delivery] = []
    for (attempts, error), rows in groups.items():
        ids = [row.pk for row in rows]
        if attempts >= max_attempts():
            mine.filter(pk__in=ids).update(state=DS.FAILED, attempts=attempts, last_error=error)
            given_up.extend(rows)
            logger.error("outbox: %s deliveries failed after %s attempts: %s", len(ids), attempts, error)
        else:
            due = now + timedelta(seconds=backoff_seconds(attempts))
            mine.filter(pk__in=ids).update(state=DS.PENDING, attempts=attempts, last_error=error, due_at=due)
            logger.warning("outbox: %s deliveries, attempt %s failed: %s", len(ids), attempts, error)
    if given_up:
        _tell(given_up, [row.pk for row in given_up], lambda kind, kind_ids: kind.failed(kind_ids))


def _outcomes(batch: _Batch) -> dict[str, int]:
    retry = sum(1 for row, _error in batch.failed if row.attempts + 1 < max_attempts())
    outcomes = {
        "sent": len(batch.accepted) - batch.recovered,
        "recovered": batch.recovered,
        "cancelled": len(batch.cancelled),
        "retry": retry,
        "failed": len(batch.failed) - retry,
        "released": len(batch.released),
    }
    return {key: value for key, value in outcomes.items() if value}


def deliveries_send_due(*, batch_size: int = BATCH_SIZE, budget_seconds: float = 30.0,
                        now: datetime | None = None) -> dict[str, int]:
    """Claim and send due rows, batch after batch, until none is due or the time budget is spent.
    Returns the outcome counts plus `batches`, and `more` = 1 when it stopped with work left."""
    started = time.monotonic()
    totals: dict[str, int] = {"batches": 0}
    while True:
        claim = deliveries_claim_due(limit=batch_size, now=now)
        if not claim.ids:
            return totals
        totals["batches"] += 1
        for key, value in deliveries_send_claimed(claim, now=now).items():
            totals[key] = totals.get(key, 0) + value
        if len(claim.ids) < batch_size:
            # What was due is done. A row that became due since was kicked by its writer after commit (a
            # kick follows every change within a second) or is taken by beat's sweep: no empty claim here.
            return totals
        if time.monotonic() - started > budget_seconds:
            totals["more"] = 1
            return totals


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is due, once. Returns what happened (sent, cancelled, retry, failed,
    recovered) or why nothing did (missing, not due, locked, already sent / failed / cancelled)."""
    now = now or timezone.now()
    claim = deliveries_claim_due(limit=1, now=now, delivery_ids=[delivery_id])
    if claim.ids:
        outcomes = deliveries_send_claimed(claim, now=now)
        return next(iter(outcomes), "nothing")
    row = Delivery.objects.filter(pk=delivery_id).values("state", "due_at").first()
    if row is None:
        return "missing"
    if row["state"] == DS.PENDING and row["due_at"] > now:
        return "not due"
    if row["state"] in Delivery.PENDING_STATES:
        return "locked"  # another worker holds or has claimed it right now
    return f"already {row['state']}"
