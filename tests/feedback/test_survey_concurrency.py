"""Claiming and sending under concurrency (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import services
from feedback.models import Survey
from tests.feedback import factories as ff
from tests.feedback.factories import new_ticket, resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
LATER = timedelta(hours=2)


def _hold_lock(survey_id: int, locked: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():
            Survey.objects.select_for_update().filter(pk=survey_id).first()
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


@pytest.mark.postgres
def test_a_claim_skips_rows_another_transaction_holds(two_surveys):
    first, second = two_surveys
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(first.pk, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        assert services.survey_claim_due(now=timezone.now() + LATER) == [second.pk]
    finally:
        release.set()
        holder.join()
    assert services.survey_claim_due(now=timezone.now() + LATER) == [first.pk]


@pytest.mark.postgres
def test_a_send_running_elsewhere_is_not_doubled(two_surveys):
    first, _second = two_surveys
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(first.pk, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        assert services.survey_send(survey_id=first.pk, now=timezone.now() + LATER) == "locked"
    finally:
        release.set()
        holder.join()
    assert services.survey_send(survey_id=first.pk, now=timezone.now() + LATER) == "sent"
