"""The one outbox: create rows, claim due rows, send them in batches, retry with backoff, fail visibly.

Creating: a delivery row is inserted in the transaction of the change that causes it, so both commit or
neither does; after commit a worker is kicked when the row is due at once (`kick`: at most one a second
per process, every change followed by one within the second), and beat's sweep every 2 s catches the
rest.

Claiming: one statement marks a batch of due rows `sending` with a fresh claim token (PostgreSQL:
`UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)`; SQLite: a conditional UPDATE
that checks again that the rows are due). Due = pending with `due_at <= now`, or `sending` under a
claim older than the stale window (its worker died or its task was lost). Every later write of the
batch is conditional on the token, so a worker whose claim was taken over writes nothing, and a
worker never starts a message once its claim is older than half the stale window.

Sending at most once: as soon as the server accepts a message, its Message-ID and `sent_at` are
written to the row (one UPDATE, asynchronous commit on PostgreSQL: a killed worker cannot lose it,
only a database crash could). The batch is then marked in one transaction, together with the kinds'
own bookkeeping. A re-claim of a stale row that already has `sent_at` finishes it without sending
again, so a SIGKILL duplicates at most the one message in flight.

Retrying: a failed attempt puts the row back to `pending` with `due_at` moved by an exponential
backoff (never a Celery countdown: a row survives a broker outage, and an ETA longer than Redis'
visibility timeout is redelivered); after `OUTBOX_MAX_ATTEMPTS` it is `failed`, listed in the admin
with its error until staff send it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from outbox import kinds
from outbox.models import Delivery
from outbox.sending import (  # noqa: F401 - the outbox's public surface is this module
    BATCH_SIZE,
    Claim,
    backoff_seconds,
    deliveries_claim_due,
    deliveries_send_claimed,
    deliveries_send_due,
    delivery_send,
    group_by_kind,
    max_attempts,
    stale_seconds,
)

DS = Delivery.State
KICK_INTERVAL_SECONDS = 1.0
_kicks = {"scheduled_at": float("-inf"), "next_at": float("-inf")}


# --- Creating (inside the caller's transaction) ---------------------------------------------------


def delivery_new(*, kind: str, recipient: str = "", language: str = "", reference: str = "",
                 object_id: int | None = None, due_at: datetime | None = None,
                 now: datetime | None = None) -> Delivery:
    """An unsaved delivery of a registered kind (insert it with `deliveries_create`)."""
    registered = kinds.get(kind)
    now = now or timezone.now()
    return Delivery(
        kind=kind, transport=registered.transport if registered else "email", recipient=(recipient or "")[:320],
        language=language or "", reference=reference or "", object_id=object_id, due_at=due_at or now,
        created_at=now,
    )


def delivery_new_sent(*, kind: str, sent_at: datetime, recipient: str = "", language: str = "",
                      reference: str = "", message_id: str = "") -> Delivery:
    """An unsaved delivery that went out at `sent_at` (history: demo data, imports)."""
    delivery = delivery_new(kind=kind, recipient=recipient, language=language, reference=reference, due_at=sent_at,
                            now=sent_at)
    delivery.state, delivery.sent_at, delivery.attempts, delivery.message_id = DS.SENT, sent_at, 1, message_id
    return delivery


def deliveries_record_as_sent(*, delivery_ids: Sequence[int], at: datetime) -> int:
    """History (demo data): these waiting rows went out at `at`. Nothing is sent, no kind is told."""
    return Delivery.objects.filter(pk__in=list(delivery_ids), state=DS.PENDING).update(
        state=DS.SENT, sent_at=at, attempts=1
    )


def deliveries_create(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """Insert the rows (one statement; their ids are set) and kick a worker after commit if one is due."""
    if not deliveries:
        return []
    created = Delivery.objects.bulk_create(deliveries)
    now = timezone.now()
    if any(delivery.due_at <= now for delivery in created):
        transaction.on_commit(kick)
    return created


def delivery_create(**fields) -> Delivery:
    return deliveries_create([delivery_new(**fields)])[0]


def kicks_forget() -> None:
    """Forget the kicks this process sent (their tasks were purged from the broker: tests)."""
    _kicks.update(scheduled_at=float("-inf"), next_at=float("-inf"))


def kick() -> None:
    """Ask a worker to drain the outbox: at most one kick per KICK_INTERVAL_SECONDS leaves this process,
    and every call is followed by a kick within that interval (one drain takes every row due when it
    runs). Inside the interval the kick is published once with a countdown to the interval's end: the
    broker holds it, no timer thread does."""
    from helpdesk.celery import app, enqueue_in
    from outbox import tasks

    if app.conf.task_always_eager:  # the drain runs here and now: a later kick has nothing to wait for
        enqueue_in(0, tasks.send_due)
        return
    now = time.monotonic()
    if _kicks["scheduled_at"] > now:  # a kick is on its way and will run after this change
        return
    wait = max(_kicks["next_at"] - now, 0.0)
    _kicks["scheduled_at"], _kicks["next_at"] = now + wait, now + wait + KICK_INTERVAL_SECONDS
    enqueue_in(wait, tasks.send_due)


def deliveries_cancel(*, delivery_ids: Iterable[int], code: str) -> int:
    """The cause was withdrawn (a survey skipped, a ticket reopened): waiting rows will not go out.
    Returns rows changed. Call it in the withdrawing transaction. A row a worker holds right now is
    left to it: its kind's `build` sees the withdrawn cause and cancels it, or, if the message is
    already on its way, the kind's `sent` finds the cause withdrawn and changes nothing."""
    ids = [pk for pk in delivery_ids if pk is not None]
    if not ids:
        return 0
    return Delivery.objects.filter(pk__in=ids, state=DS.PENDING).update(state=DS.CANCELLED, cancel_reason=code)


def deliveries_retry(*, delivery_ids: Iterable[int], now: datetime | None = None) -> int:
    """Staff put failed deliveries back in the outbox (after fixing the mail server). Returns rows changed."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update().filter(pk__in=list(delivery_ids), state=DS.FAILED)
                    .values_list("pk", "kind"))
        if not rows:
            return 0
        Delivery.objects.filter(pk__in=[pk for pk, _kind in rows]).update(
            state=DS.PENDING, due_at=now, attempts=0, claim_token=None, claimed_at=None
        )
        for kind_name, ids in group_by_kind(rows).items():
            kind = kinds.get(kind_name)
            if kind is not None:
                kind.retried(ids)
        transaction.on_commit(kick)
    return len(rows)
