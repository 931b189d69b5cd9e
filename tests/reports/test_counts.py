"""The reports read the rollups: the same figures as from the rows, in fewer queries, flat as data grows."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from feedback.models import RatingRollup, RatingRollupAgent, RatingRollupCompany
from helpdesk.dates import monday_of
from reports import figures
from reports.dashboard import dashboard_data
from reports.figures import ReportFilter
from tests import factories
from tests.feedback import reports_factories as rf
from tickets.models import Ticket

MONDAY = dt.date(2026, 6, 1)
RANGE = ReportFilter(date_from=MONDAY - dt.timedelta(weeks=6), date_to=MONDAY + dt.timedelta(weeks=6))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _desk(*, agents_per_team: int, weeks: int, seed: int = 3):
    """Two teams of agents with ratings over `weeks` weeks in two queues, three kinds, three companies."""
    rng = random.Random(seed)
    buyers = [rf.customer(company=name) for name in ("Acme", "Globex", "Initech")]
    agents = []
    for _t in range(2):
        team = factories.TeamFactory()
        queues = [factories.QueueFactory(team=team), factories.QueueFactory(team=team)]
        for _a in range(agents_per_team):
            agent = factories.agent_in(team)
            agents.append(agent)
            for week in range(weeks):
                day = RANGE.date_from + dt.timedelta(weeks=week, days=rng.randrange(7))
                rf.pulses([rng.randint(1, 5) for _ in range(5)], agent=agent, week=monday_of(day),
                          queue=queues[0], customer=buyers[0])
                rf.ratings(
                    [rng.randint(1, 5) for _ in range(rng.randint(1, 4))],
                    queue=rng.choice(queues),
                    agent=agent,
                    day=day,
                    customer=rng.choice(buyers),
                    kind=rng.choice([Ticket.Kind.QUESTION, Ticket.Kind.PROBLEM]),
                    unanswered=rng.randint(0, 2),
                )
    return agents


def _from_rows(settings, fn, *args, **kwargs):
    settings.REPORT_ROLLUPS = False
    try:
        return fn(*args, **kwargs)
    finally:
        settings.REPORT_ROLLUPS = True


@pytest.mark.parametrize("group", [*figures.GROUPINGS, "all"])
def test_csat_by_every_grouping_is_the_same_from_the_rollup_as_from_the_rows(admin_user, settings, group):
    _desk(agents_per_team=2, weeks=5)
    assert figures.csat_by_group(admin_user, RANGE, group) == _from_rows(
        settings, figures.csat_by_group, admin_user, RANGE, group
    )


@pytest.mark.parametrize(
    "filters", [{"kind": "problem"}, {"company": "Globex"}, {"queue_id": "first"}, {"team_id": "first"}]
)
def test_filtered_reports_are_the_same_from_the_rollup_as_from_the_rows(admin_user, settings, filters):
    agents = _desk(agents_per_team=2, weeks=4)
    team = agents[0].memberships.first().team
    if filters.get("queue_id"):
        filters = {"queue_id": team.queues.order_by("id").first().id}
    if filters.get("team_id"):
        filters = {"team_id": team.id}
    f = RANGE.with_(**filters)
    for group in ("agent", "company", "week"):
        assert figures.csat_by_group(admin_user, f, group) == _from_rows(
            settings, figures.csat_by_group, admin_user, f, group
        )
    assert figures.correlation_report(admin_user, f) == _from_rows(settings, figures.correlation_report, admin_user, f)
    assert figures.revenue_at_risk_by_company(admin_user, f) == _from_rows(
        settings, figures.revenue_at_risk_by_company, admin_user, f
    )


@pytest.mark.parametrize("known_only", [False, True])
@pytest.mark.parametrize("group", ["agent", "team", "queue", "kind", "company", "week", "month"])
def test_rating_counts_per_key_are_the_same_from_the_rollup_as_from_the_rows(admin_user, settings, group,
                                                                             known_only):
    _desk(agents_per_team=2, weeks=4)
    for counters in (figures.counts.COUNTERS, ("n", "low", "sent"), ("n", "satisfied")):
        from_rollup = figures.RatingCounts(admin_user, RANGE).per(group, counters, known_only=known_only)
        assert from_rollup
        assert from_rollup == _from_rows(settings, lambda c=counters: figures.RatingCounts(admin_user, RANGE).per(
            group, c, known_only=known_only))


def test_rating_counts_of_ratings_alone_leave_out_what_has_only_unanswered_surveys(admin_user, settings, queue):
    rated, silent = factories.agent_in(queue.team), factories.agent_in(queue.team)
    rf.ratings([5, 1], queue=queue, agent=rated, day=MONDAY, customer=rf.customer())
    rf.ratings([], queue=queue, agent=silent, day=MONDAY, customer=rf.customer(company="Quiet"), unanswered=3)
    for read in (lambda fn: fn(), lambda fn: _from_rows(settings, fn)):
        counts = figures.RatingCounts(admin_user, RANGE)
        assert read(lambda c=counts: c.per("agent", ("n", "satisfied", "low"))) == {
            rated.id: {"n": 2, "satisfied": 1, "low": 1}}
        assert read(lambda c=counts: c.per("agent", ("n", "sent")))[silent.id] == {"n": 0, "sent": 3}
        assert read(lambda c=counts: c.total(("n", "answered", "sent"))) == {"n": 2, "answered": 2, "sent": 5}


def test_rating_counts_without_anything_in_range_are_zero(admin_user, settings):
    empty = RANGE.with_(date_from=dt.date(1990, 1, 1), date_to=dt.date(1990, 1, 7))
    assert figures.RatingCounts(admin_user, empty).per("agent") == {}
    assert figures.RatingCounts(admin_user, empty).total(("n", "satisfied")) == {"n": 0, "satisfied": 0}
    assert _from_rows(settings, lambda: figures.RatingCounts(admin_user, empty).total(("n",))) == {"n": 0}


def test_supervisor_scope_is_the_same_from_the_rollup_as_from_the_rows(db, settings):
    agents = _desk(agents_per_team=2, weeks=3)
    supervisor = factories.supervisor_of(agents[0].memberships.first().team)
    for group in ("agent", "team", "company"):
        rows = figures.csat_by_group(supervisor, RANGE, group)
        assert rows == _from_rows(settings, figures.csat_by_group, supervisor, RANGE, group)
    assert {row["key"] for row in figures.csat_by_group(supervisor, RANGE, "agent")} == {a.id for a in agents[:2]}


def test_dashboard_figures_are_the_same_from_the_rollup_as_from_the_rows(admin_user, settings):
    _desk(agents_per_team=3, weeks=6)
    from_rows = _from_rows(settings, dashboard_data, admin_user, RANGE, "agent")
    assert dashboard_data(admin_user, RANGE, "agent") == from_rows


def test_a_user_in_another_time_zone_gets_their_own_days_from_the_rows(admin_user, queue, agent):
    buyer = rf.customer()
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY, customer=buyer)  # 12:00 UTC
    late = ReportFilter(date_from=MONDAY + dt.timedelta(days=1), date_to=MONDAY + dt.timedelta(days=1))
    with timezone.override("Pacific/Kiritimati"):  # UTC+14: noon UTC is already Tuesday there
        assert not figures.rollup_active()
        assert figures.csat_overall(admin_user, late)["n"] == 1
    assert figures.csat_overall(admin_user, late)["n"] == 0


def test_the_dashboard_reads_the_narrow_agent_rollup_when_nothing_needs_queue_kind_or_company(admin_user):
    assert figures.rollup_for(admin_user, RANGE, "week").model is RatingRollupAgent
    assert figures.rollup_for(admin_user, RANGE, "company").model is RatingRollupCompany
    assert figures.rollup_for(admin_user, RANGE.with_(kind="problem"), "agent").model is RatingRollup
    assert figures.rollup_for(admin_user, RANGE.with_(company="Acme"), "agent").model is RatingRollup


DASHBOARD_QUERIES = 15  # was 34 reading the rows; burnout adds the escalation source and names when it flags someone


@pytest.mark.parametrize(("agents_per_team", "weeks"), [(1, 2), (5, 10)])
def test_dashboard_query_count_is_flat_as_agents_and_weeks_grow(
    admin_user, django_assert_max_num_queries, agents_per_team, weeks
):
    _desk(agents_per_team=agents_per_team, weeks=weeks)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        data = dashboard_data(admin_user, RANGE, "agent")
    assert len(data["groups"]) == 2 * agents_per_team
