"""The weekly summary's email is a row of the outbox: one email per recipient and week through a real SMTP
server (aiosmtpd), whatever the deliveries, crashes and failures; retried with the outbox's backoff and
failed visibly."""

import datetime as dt
import threading
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from outbox import services as outbox
from outbox.models import Delivery
from reports import services, tasks
from reports.models import WeeklySummary
from tests import factories
from tests.feedback import helpers as ff

smtp_sink, smtp_refusing = ff.smtp_sink, ff.smtp_refusing  # the real SMTP server fixtures
WEEK = dt.date(2026, 6, 1)
DS = Delivery.State


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class KilledMidSend(BaseEmailBackend):
    """The worker process dies while talking to the mail server (SystemExit is not an Exception)."""

    def send_messages(self, email_messages):
        raise SystemExit("worker killed")


def _delivery(user, week=WEEK) -> Delivery:
    return WeeklySummary.objects.select_related("delivery").get(recipient=user, week=week).delivery


def test_the_delivery_records_the_sent_summary(supervisor, smtp_sink):
    assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "sent"
    delivery = _delivery(supervisor)
    assert (delivery.kind, delivery.state, delivery.attempts, delivery.last_error) == ("weekly_summary", "sent", 1, "")
    assert delivery.sent_at is not None and delivery.recipient == supervisor.email
    assert delivery.message_id == services.summary_message_id(supervisor.id, WEEK)
    (message,) = smtp_sink.messages
    assert services.summary_message_id(supervisor.id, WEEK).encode() in message


def test_the_beat_writes_one_summary_per_recipient_and_a_drain_sends_each_once(team, smtp_sink):
    supervisor, admin = factories.supervisor_of(team), factories.user_with_role("admin")
    factories.agent_in(team)
    assert tasks.send_weekly_summaries.apply(args=[WEEK.isoformat()]).get() == 2
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 2}
    assert sorted(_delivery(user).state for user in (supervisor, admin)) == [DS.SENT, DS.SENT]
    assert len(smtp_sink.messages) == 2 and smtp_sink.sessions == 1
    assert outbox.deliveries_send_due(now=timezone.now() + timedelta(days=1)) == {"batches": 0}
    assert len(smtp_sink.messages) == 2


def test_a_second_run_of_the_beat_writes_nothing(team):
    factories.supervisor_of(team)
    assert tasks.send_weekly_summaries.apply(args=[WEEK.isoformat()]).get() == 1
    assert tasks.send_weekly_summaries.apply(args=[WEEK.isoformat()]).get() == 0
    assert (WeeklySummary.objects.count(), Delivery.objects.count()) == (1, 1)


def test_the_beat_costs_the_same_queries_for_more_recipients(team, django_assert_max_num_queries):
    factories.supervisor_of(team)
    with django_assert_max_num_queries(20) as few:
        tasks.send_weekly_summaries.apply(args=[WEEK.isoformat()])
    for _ in range(5):
        factories.supervisor_of(team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert tasks.send_weekly_summaries.apply(args=[(WEEK + timedelta(weeks=1)).isoformat()]).get() == 6


def test_a_summary_sent_twice_sends_one_email(supervisor, smtp_sink):
    first = services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    second = services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    assert (first, second) == ("sent", "already_sent")
    assert len(smtp_sink.messages) == 1


def test_a_refused_summary_is_recorded_on_its_delivery_and_retried_later(supervisor, smtp_refusing):
    before = timezone.now()
    assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "retry"
    delivery = _delivery(supervisor)
    assert (delivery.state, delivery.attempts) == (DS.PENDING, 1)
    assert "refused" in delivery.last_error
    assert delivery.due_at >= before + timedelta(seconds=60)
    assert smtp_refusing.messages == []


def test_a_failing_mail_server_is_retried_with_backoff_then_the_summary_is_failed_and_visible(
    supervisor, smtp_refusing, client, admin_user
):
    services.weekly_summaries_schedule(week_start=WEEK, user_ids=[supervisor.id])
    now, delays = timezone.now(), []
    for _attempt in range(4):
        assert outbox.deliveries_send_due(now=now) == {"batches": 1, "retry": 1}
        delays.append((_delivery(supervisor).due_at - now).total_seconds())
        assert outbox.deliveries_send_due(now=now + timedelta(seconds=delays[-1] - 1)) == {"batches": 0}
        now += timedelta(seconds=delays[-1])
    assert outbox.deliveries_send_due(now=now) == {"batches": 1, "failed": 1}
    assert delays == [60, 120, 240, 480]
    delivery = _delivery(supervisor)
    assert (delivery.state, delivery.attempts) == (DS.FAILED, 5) and "refused" in delivery.last_error
    assert outbox.deliveries_send_due(now=now + timedelta(days=2)) == {"batches": 0}  # until staff retry
    assert smtp_refusing.messages == []
    client.force_login(admin_user)
    listed = client.get(reverse("admin:outbox_delivery_changelist") + "?state=failed&kind=weekly_summary")
    assert "Weekly summary" in listed.content.decode() and "refused" in listed.content.decode()
    summaries = client.get(reverse("admin:reports_weeklysummary_changelist")).content.decode()
    assert f'{reverse("admin:outbox_delivery_change", args=[delivery.pk])}">Failed</a>' in summaries


def test_staff_send_a_failed_summary_again_and_it_goes_out_once(supervisor, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    controller, server = ff._smtp(settings, refuse=True)
    try:
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "failed"
        server.refuse = False  # the mail server is back
        assert outbox.deliveries_retry(delivery_ids=[_delivery(supervisor).pk]) == 1
        assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    finally:
        controller.stop()
    assert len(server.messages) == 1
    assert _delivery(supervisor).state == DS.SENT


def test_the_retry_after_a_failure_sends_once(supervisor, settings):
    controller, refusing = ff._smtp(settings, refuse=True)
    try:
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "retry"
        refusing.refuse = False  # the mail server is back
        later = _delivery(supervisor).due_at
        assert outbox.deliveries_send_due(now=later) == {"batches": 1, "sent": 1}
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    finally:
        controller.stop()
    assert len(refusing.messages) == 1
    delivery = _delivery(supervisor)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_a_worker_killed_mid_send_leaves_the_claim_and_a_drain_after_the_stale_window_sends_once(supervisor,
                                                                                                  settings):
    settings.EMAIL_BACKEND = f"{__name__}.KilledMidSend"
    with pytest.raises(SystemExit):
        services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    delivery = _delivery(supervisor)
    assert (delivery.state, delivery.attempts, delivery.sent_at) == ("sending", 0, None)  # written before sending
    controller, sink = ff._smtp(settings, refuse=False)
    try:
        assert outbox.deliveries_send_due(now=delivery.claimed_at + timedelta(minutes=1)) == {"batches": 0}
        stale = delivery.claimed_at + timedelta(seconds=settings.OUTBOX_CLAIM_STALE_SECONDS + 1)
        assert outbox.deliveries_send_due(now=stale) == {"batches": 1, "sent": 1}
        assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    finally:
        controller.stop()
    assert len(sink.messages) == 1


def test_a_summary_whose_recipient_is_no_longer_a_supervisor_is_not_sent(supervisor, agent, mailoutbox):
    services.weekly_summaries_schedule(week_start=WEEK)
    supervisor.groups.clear()
    assert outbox.deliveries_send_due() == {"batches": 1, "cancelled": 1}
    delivery = _delivery(supervisor)
    assert (delivery.state, delivery.cancel_reason) == (DS.CANCELLED, "not_allowed") and mailoutbox == []


def test_a_summary_whose_recipient_was_deleted_is_cancelled_as_gone(supervisor, mailoutbox):
    services.weekly_summaries_schedule(week_start=WEEK)
    delivery = _delivery(supervisor)
    supervisor.delete()
    assert outbox.deliveries_send_due() == {"batches": 1, "cancelled": 1}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.cancel_reason) == (DS.CANCELLED, "gone") and mailoutbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_send_while_a_worker_holds_the_row_skips_it(supervisor, smtp_sink):
    services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK - dt.timedelta(weeks=1))  # warm up
    services.weekly_summaries_schedule(week_start=WEEK)
    results = []
    with transaction.atomic():
        list(Delivery.objects.select_for_update().filter(pk=_delivery(supervisor).pk))  # a worker's claim

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
