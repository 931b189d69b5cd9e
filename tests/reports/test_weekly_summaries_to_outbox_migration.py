"""The upgrade moves the weekly summaries' send bookkeeping into the outbox: each summary keeps what it
knew on its delivery (state, attempts, error, sent time, the Message-ID it went out with); what was
waiting goes out once after the upgrade, what went out is not sent again, what failed stays visible.

Rows are written with the historical model of reports 0001 (before the outbox), then the migrations run
forward and a worker drains. The walk is done once for the module; each test works on its rows in a
transaction of its own."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from outbox import services as outbox
from outbox.models import Delivery
from reports.models import WeeklySummary
from reports.services import summary_message_id
from tests import factories
from tests.migration_walk import rows_written_in

BEFORE = [("reports", "0001_weekly_summary_from_feedback")]
WEEK = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def upgraded(django_db_setup, django_db_blocker):
    with rows_written_in(BEFORE, _write_summaries_before_the_outbox, django_db_blocker) as summaries:
        yield summaries


@pytest.fixture
def old_summaries(upgraded, db):
    return upgraded


def _write_summaries_before_the_outbox(old) -> dict:
    Summary = old.get_model("reports", "WeeklySummary")
    pending, sent, failed = (factories.user_with_role("supervisor") for _ in range(3))
    sent_at = timezone.now() - dt.timedelta(days=2)
    Summary.objects.create(recipient_id=pending.pk, week=WEEK)
    Summary.objects.create(recipient_id=sent.pk, week=WEEK, state="sent", attempts=1, sent_at=sent_at)
    Summary.objects.create(recipient_id=failed.pk, week=WEEK, state="failed", attempts=7,
                           last_error="SMTPDataError: (554, b'refused')")
    return {"pending": pending, "sent": sent, "failed": failed, "sent_at": sent_at}


def _delivery(user) -> Delivery:
    return WeeklySummary.objects.select_related("delivery").get(recipient=user, week=WEEK).delivery


def test_every_summary_gets_its_delivery_with_what_it_knew(old_summaries):
    pending = _delivery(old_summaries["pending"])
    assert (pending.kind, pending.state, pending.attempts, pending.message_id) == ("weekly_summary", "pending", 0, "")
    assert pending.recipient == old_summaries["pending"].email
    sent = _delivery(old_summaries["sent"])
    assert (sent.state, sent.attempts, sent.sent_at) == ("sent", 1, old_summaries["sent_at"])
    assert sent.message_id == summary_message_id(old_summaries["sent"].pk, WEEK)  # the one it went out with
    failed = _delivery(old_summaries["failed"])
    assert (failed.state, failed.attempts) == ("failed", 7) and "554" in failed.last_error
    assert Delivery.objects.count() == 3


def test_the_waiting_summary_goes_out_once_after_the_upgrade_and_nothing_else(old_summaries):
    mail.outbox.clear()
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}
    (message,) = mail.outbox
    assert message.to == [old_summaries["pending"].email]
    assert message.extra_headers["Message-ID"] == summary_message_id(old_summaries["pending"].pk, WEEK)
    assert outbox.deliveries_send_due(now=timezone.now() + dt.timedelta(days=2)) == {"batches": 0}
    assert len(mail.outbox) == 1


def test_summaries_written_after_the_upgrade_get_deliveries_of_their_own(old_summaries):
    from reports import services

    assert services.weekly_summaries_schedule(week_start=WEEK + dt.timedelta(weeks=1)) == 3
    assert Delivery.objects.count() == 6 and WeeklySummary.objects.filter(delivery__isnull=True).count() == 0
