"""Burnout watch: the share of escalated tickets (escalation's selector, read directly) joins the 1-2 star share."""

import datetime as dt

import pytest
from django.urls import reverse

from escalation.models import Escalation, Trigger
from reports import figures
from reports.figures import ReportFilter
from tests import factories
from tests.feedback import reports_factories as rf

END = dt.date(2026, 6, 1) + dt.timedelta(weeks=7)
RANGE = ReportFilter(date_from=END - dt.timedelta(weeks=8), date_to=END)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def escalated(agent, queue, buyer, n: int, day: dt.date = END) -> None:
    """`n` tickets of `agent` escalated on `day` (credited to the agent, as the escalation service does)."""
    for ticket in rf.bare_tickets(queue=queue, customer=buyer, count=n):
        Escalation.objects.create(ticket=ticket, queue=queue, team=queue.team, agent=agent, trigger=Trigger.MANUAL,
                                  state=Escalation.State.OPEN, created_at=rf.aware(day))


def _agent_with_asat(queue, buyer, *, falling: bool):
    agent = factories.agent_in(queue.team)
    for weeks_back in range(8):
        score = 2 if falling and weeks_back < 4 else 5
        rf.pulses([score] * 5, agent=agent, week=END - dt.timedelta(weeks=weeks_back), queue=queue, customer=buyer)
    # Ten surveyed tickets, all rated 4-5 stars: the 1-2 star share alone would never list them.
    rf.ratings([5, 5, 4, 4, 5, 5, 4, 5], queue=queue, agent=agent, day=END, customer=buyer, unanswered=2)
    return agent


def test_an_agent_with_many_escalated_tickets_and_falling_asat_is_listed(admin_user, queue):
    buyer = rf.customer()
    tired, steady = _agent_with_asat(queue, buyer, falling=True), _agent_with_asat(queue, buyer, falling=False)
    escalated(tired, queue, buyer, 3)
    escalated(steady, queue, buyer, 3)
    (row,) = figures.burnout_watch(admin_user, RANGE)
    assert row["agent"] == tired.id
    assert (row["escalated"], row["sent"], row["escalated_share"]) == (3, 10, 30.0)
    assert row["low_share"] == 0.0


def test_few_escalated_tickets_do_not_list_an_agent(admin_user, queue):
    buyer = rf.customer()
    _agent_with_asat(queue, buyer, falling=True)
    assert figures.burnout_watch(admin_user, RANGE) == []


def test_an_agent_listed_for_low_ratings_without_escalations_has_none_rather_than_unknown(admin_user, queue, agent):
    buyer = rf.customer()
    for weeks_back in range(8):
        rf.pulses([5 if weeks_back >= 4 else 1] * 5, agent=agent, week=END - dt.timedelta(weeks=weeks_back),
                  queue=queue, customer=buyer)
    rf.ratings([1, 2, 2, 5, 5], queue=queue, agent=agent, day=END, customer=buyer)
    (row,) = figures.burnout_watch(admin_user, RANGE)
    assert (row["escalated"], row["escalated_share"]) == (0, 0.0)


def test_escalations_outside_the_range_do_not_count(admin_user, queue):
    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    escalated(tired, queue, buyer, 3, day=RANGE.date_from - dt.timedelta(days=1))
    assert figures.burnout_watch(admin_user, RANGE) == []


def test_the_escalations_are_read_in_one_query_however_many_agents_fell(
    admin_user, queue, django_assert_max_num_queries
):
    buyer = rf.customer()
    for falling in (True, True, True, False):
        _agent_with_asat(queue, buyer, falling=falling)
    with django_assert_max_num_queries(3):  # ratings per agent, pulses per agent, escalated tickets
        assert figures.burnout_watch(admin_user, RANGE) == []


def test_dashboard_says_agents_are_listed_for_escalated_tickets_too(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"))
    assert "Also listed: agents with at least a tenth of their surveyed tickets escalated" in response.content.decode()


def test_dashboard_and_csv_show_the_escalated_tickets(client, admin_user, queue):
    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    escalated(tired, queue, buyer, 4)
    client.force_login(admin_user)
    params = {"date_from": RANGE.date_from.isoformat(), "date_to": RANGE.date_to.isoformat()}
    page = client.get(reverse("reports:dashboard"), params).content.decode()
    assert "4 (40%)" in page
    csv_text = client.get(reverse("reports:export", args=["burnout"]), params).content.decode()
    assert csv_text.splitlines()[1].endswith(",4,40.00")


def test_the_weekly_email_names_the_escalated_share_of_a_listed_agent(supervisor, queue, mailoutbox):
    from reports import services

    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    escalated(tired, queue, buyer, 4)
    week_start = END - dt.timedelta(days=END.weekday())
    services.weekly_summary_send(user_id=supervisor.id, week_start=week_start)
    (mail,) = mailoutbox
    assert "Escalated tickets: 4 (40%)" in mail.body
