"""The weekly summary's outbox row: one email per recipient and week through a real SMTP server (aiosmtpd),
whatever the deliveries, crashes and failures."""

import datetime as dt
import smtplib
import threading

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from reports import services, tasks
from reports.models import WeeklySummary
from tests.feedback import factories as ff

smtp_sink, smtp_refusing = ff.smtp_sink, ff.smtp_refusing  # the real SMTP server fixtures
WEEK = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class KilledMidSend(BaseEmailBackend):
    """The worker process dies while talking to the mail server (SystemExit is not an Exception)."""

    def send_messages(self, email_messages):
        raise SystemExit("worker killed")


def test_the_outbox_row_records_the_sent_summary(supervisor, smtp_sink):
    assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "sent"
    row = WeeklySummary.objects.get(recipient=supervisor, week=WEEK)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    (message,) = smtp_sink.messages
    assert services.summary_message_id(supervisor.id, WEEK).encode() in message


def test_a_task_delivered_twice_sends_one_email(supervisor, smtp_sink):
    first = tasks.send_weekly_summary.apply(args=[supervisor.id, WEEK.isoformat()]).get()
    second = tasks.send_weekly_summary.apply(args=[supervisor.id, WEEK.isoformat()]).get()
    assert (first, second) == ("sent", "already_sent")
    assert len(smtp_sink.messages) == 1


def test_a_refused_summary_is_recorded_as_failed_and_raised_for_the_retry(supervisor, smtp_refusing):
    with pytest.raises(smtplib.SMTPException):
        services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    row = WeeklySummary.objects.get(recipient=supervisor, week=WEEK)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "refused" in row.last_error
    assert smtp_refusing.messages == []


def test_the_retry_after_a_failure_sends_once(supervisor, settings):
    controller, refusing = ff._smtp(settings, refuse=True)
    try:
        with pytest.raises(smtplib.SMTPException):
            services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
        refusing.refuse = False  # the mail server is back
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "sent"
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    finally:
        controller.stop()
    assert len(refusing.messages) == 1
    row = WeeklySummary.objects.get(recipient=supervisor, week=WEEK)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_worker_killed_mid_send_leaves_the_row_pending_and_the_redelivery_sends_once(supervisor, settings):
    settings.EMAIL_BACKEND = f"{__name__}.KilledMidSend"
    with pytest.raises(SystemExit):
        services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    row = WeeklySummary.objects.get(recipient=supervisor, week=WEEK)
    assert (row.state, row.attempts) == ("pending", 0)  # written before sending, the send rolled back
    controller, sink = ff._smtp(settings, refuse=False)
    try:
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "sent"
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    finally:
        controller.stop()
    assert len(sink.messages) == 1


def test_summaries_failed_in_the_last_four_weeks_are_picked_up_again_by_the_beat(supervisor):
    WeeklySummary.objects.create(recipient=supervisor, week=WEEK, state=WeeklySummary.State.FAILED, attempts=6)
    WeeklySummary.objects.create(recipient=supervisor, week=WEEK - dt.timedelta(weeks=8), state="failed")
    assert services.weekly_summaries_to_retry(since=WEEK - dt.timedelta(weeks=3)) == [(supervisor.id, WEEK)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivery_while_the_first_is_sending_skips_the_locked_row(supervisor, smtp_sink):
    services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK - dt.timedelta(weeks=1))  # warm up
    WeeklySummary.objects.create(recipient=supervisor, week=WEEK)
    results = []
    with transaction.atomic():
        list(WeeklySummary.objects.select_for_update().filter(recipient=supervisor, week=WEEK))  # "sending"

        def duplicate():
            try:
                results.append(services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK))
            finally:
                connection.close()

        thread = threading.Thread(target=duplicate)
        thread.start()
        thread.join(30)
    assert results == ["locked"]
    assert len(smtp_sink.messages) == 1  # only the warm-up
