"""The weekly summary email: to supervisors and admins, in their language, once per week."""

import datetime as dt
import time

import pytest

from reports import services, tasks
from reports.beat import SCHEDULE
from tests import factories
from tests.feedback import reports_factories as rf

WEEK = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def week_of_ratings(queue, agent):
    buyer = rf.customer()
    rf.ratings([5, 5, 4, 4, 3, 1], queue=queue, agent=agent, day=WEEK + dt.timedelta(days=2), customer=buyer)
    rf.ratings([1, 1], queue=queue, agent=agent, day=WEEK + dt.timedelta(days=9), customer=buyer)  # next week
    return buyer


def test_supervisor_gets_the_weeks_csat(supervisor, week_of_ratings, mailoutbox):
    assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "sent"
    (mail,) = mailoutbox
    assert mail.to == [supervisor.email]
    assert "CSAT 67%" in mail.subject
    assert "66.7%" in mail.body and "n=6" in mail.body
    assert "/reports/" in mail.body


def test_summary_is_written_in_the_recipients_language(supervisor, week_of_ratings, mailoutbox):
    supervisor.profile.language = "et"
    supervisor.profile.save()
    services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    (mail,) = mailoutbox
    assert mail.extra_headers["Content-Language"] == "et"
    assert "01.06.2026" in mail.subject  # Estonian date format


def test_a_second_delivery_of_the_same_week_sends_nothing(supervisor, week_of_ratings, mailoutbox):
    services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    assert services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK) == "already_sent"
    assert len(mailoutbox) == 1


def test_a_deleted_user_is_skipped_without_error(db, mailoutbox):
    assert services.weekly_summary_send(user_id=987654, week_start=WEEK) == "missing"
    assert mailoutbox == []


def test_agents_and_customers_get_no_summary(agent, customer_user, mailoutbox):
    assert services.weekly_summary_send(user_id=agent.id, week_start=WEEK) == "not_allowed"
    assert services.weekly_summary_send(user_id=customer_user.id, week_start=WEEK) == "not_allowed"
    assert mailoutbox == []


def test_recipients_are_supervisors_and_admins(supervisor, admin_user, agent, customer_user):
    assert set(services.weekly_summary_recipients()) == {supervisor.id, admin_user.id}


def test_last_week_starts_on_the_previous_monday():
    assert tasks.last_week_start(dt.date(2026, 6, 10)) == dt.date(2026, 6, 1)
    assert tasks.last_week_start(dt.date(2026, 6, 8)) == dt.date(2026, 6, 1)


def test_beat_schedule_names_a_registered_task():
    from helpdesk.celery import app

    (entry,) = SCHEDULE.values()
    assert entry["task"] in app.tasks


@pytest.mark.worker
def test_beat_task_writes_the_summaries_and_a_real_worker_sends_them(celery_worker, team, mailoutbox):
    supervisor = factories.supervisor_of(team)
    admin = factories.user_with_role("admin")
    assert tasks.send_weekly_summaries.apply(args=[WEEK.isoformat()]).get() == 2
    deadline = time.monotonic() + 30
    while len(mailoutbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([supervisor.email, admin.email])
