"""Claiming and sending under concurrency (PostgreSQL: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)): a row another transaction holds is skipped, never waited for, never sent twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import services
from outbox import services as outbox
from outbox.models import Delivery
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
LATER = timedelta(hours=2)


def _hold_lock(delivery_id: int, locked: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():
            Delivery.objects.select_for_update().filter(pk=delivery_id).first()
            locked.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.fixture
def two_surveys(transactional_db, queue, agent):
    tickets = [new_ticket(queue), new_ticket(queue)]
    for ticket in tickets:
        resolve(ticket, agent)
    return [survey_of(t) for t in tickets]


def _surveys_only(ids: list[int]) -> list[int]:
    """The claimed rows that are surveys (the tickets' confirmations are in the outbox too)."""
    return list(Delivery.objects.filter(pk__in=ids, kind="survey").order_by("due_at", "id")
                .values_list("pk", flat=True))


@pytest.mark.postgres
def test_a_claim_skips_rows_another_transaction_holds(two_surveys):
    first, second = two_surveys
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(first.delivery_id, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        claimed = outbox.deliveries_claim_due(now=timezone.now() + LATER).ids
        assert _surveys_only(claimed) == [second.delivery_id]
    finally:
        release.set()
        holder.join()
    assert _surveys_only(outbox.deliveries_claim_due(now=timezone.now() + LATER).ids) == [first.delivery_id]


@pytest.mark.postgres
def test_a_send_running_elsewhere_is_not_doubled(two_surveys):
    first, _second = two_surveys
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(first.delivery_id, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        assert services.survey_send(survey_id=first.pk, now=timezone.now() + LATER) == "locked"
    finally:
        release.set()
        holder.join()
    assert services.survey_send(survey_id=first.pk, now=timezone.now() + LATER) == "sent"
