"""Burnout watch: the share of escalated tickets, from the source escalation registers, joins the 1-2 star share."""

import datetime as dt

import pytest
from django.urls import reverse

from feedback import metrics
from feedback.metrics import ReportFilter
from feedback.reports import sources
from tests import factories
from tests.feedback import reports_factories as rf

END = dt.date(2026, 6, 1) + dt.timedelta(weeks=7)
RANGE = ReportFilter(date_from=END - dt.timedelta(weeks=8), date_to=END)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_source_left_behind():
    previous = sources.register_escalation_counts(None)
    yield
    sources.register_escalation_counts(previous)


class FakeEscalations:
    """A plain function object standing for escalation.selectors.escalated_tickets_per_agent."""

    def __init__(self, counts: dict[int, int]):
        self.counts = counts
        self.calls: list[dict] = []

    def __call__(self, *, start, end, agent_ids=None):
        self.calls.append({"start": start, "end": end, "agent_ids": sorted(agent_ids)})
        return {agent: n for agent, n in self.counts.items() if agent in agent_ids}


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
    sources.register_escalation_counts(FakeEscalations({tired.id: 3, steady.id: 3}))
    (row,) = metrics.burnout_watch(admin_user, RANGE)
    assert row["agent"] == tired.id
    assert (row["escalated"], row["sent"], row["escalated_share"]) == (3, 10, 30.0)
    assert row["low_share"] == 0.0


def test_few_escalated_tickets_do_not_list_an_agent(admin_user, queue):
    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    sources.register_escalation_counts(FakeEscalations({tired.id: 0}))
    assert metrics.burnout_watch(admin_user, RANGE) == []


def test_without_a_source_the_escalated_share_is_not_available_rather_than_zero(admin_user, queue, agent):
    buyer = rf.customer()
    for weeks_back in range(8):
        rf.pulses([5 if weeks_back >= 4 else 1] * 5, agent=agent, week=END - dt.timedelta(weeks=weeks_back),
                  queue=queue, customer=buyer)
    rf.ratings([1, 2, 2, 5, 5], queue=queue, agent=agent, day=END, customer=buyer)
    (row,) = metrics.burnout_watch(admin_user, RANGE)
    assert row["escalated"] is None and row["escalated_share"] is None


def test_the_source_is_asked_once_for_the_range_and_only_the_agents_whose_asat_fell(
    admin_user, queue, django_assert_max_num_queries
):
    buyer = rf.customer()
    tired = [_agent_with_asat(queue, buyer, falling=True) for _ in range(3)]
    _agent_with_asat(queue, buyer, falling=False)
    fake = FakeEscalations({})
    sources.register_escalation_counts(fake)
    with django_assert_max_num_queries(3):
        metrics.burnout_watch(admin_user, RANGE)
    assert fake.calls == [{"start": RANGE.date_from, "end": RANGE.date_to, "agent_ids": sorted(a.id for a in tired)}]


def test_dashboard_says_the_escalated_share_is_not_available_without_a_source(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("feedback:dashboard"))
    assert "The share of escalated tickets is not available" in response.content.decode()


def test_dashboard_and_csv_show_the_escalated_tickets_from_the_source(client, admin_user, queue):
    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    sources.register_escalation_counts(FakeEscalations({tired.id: 4}))
    client.force_login(admin_user)
    params = {"date_from": RANGE.date_from.isoformat(), "date_to": RANGE.date_to.isoformat()}
    page = client.get(reverse("feedback:dashboard"), params).content.decode()
    assert "4 (40%)" in page
    assert "The share of escalated tickets is not available" not in page
    csv_text = client.get(reverse("feedback:report_export", args=["burnout"]), params).content.decode()
    assert csv_text.splitlines()[1].endswith(",4,40.00")


def test_the_weekly_email_names_the_escalated_share_of_a_listed_agent(supervisor, queue, mailoutbox):
    from feedback.reports import services

    buyer = rf.customer()
    tired = _agent_with_asat(queue, buyer, falling=True)
    sources.register_escalation_counts(FakeEscalations({tired.id: 4}))
    week_start = END - dt.timedelta(days=END.weekday())
    services.weekly_summary_send(user_id=supervisor.id, week_start=week_start)
    (mail,) = mailoutbox
    assert "Escalated tickets: 4 (40%)" in mail.body
