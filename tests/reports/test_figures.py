"""The report selectors: every figure is a SQL aggregate whose value matches a hand computation."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from scipy import stats

from reports import figures
from reports.figures import ReportFilter
from tests import factories
from tests.feedback import reports_factories as rf

MONDAY = dt.date(2026, 6, 1)
RANGE = ReportFilter(date_from=MONDAY - dt.timedelta(weeks=8), date_to=MONDAY + dt.timedelta(weeks=8))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Dozens of agents per test: hashing their passwords properly would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def buyer(db):
    return rf.customer()


def test_csat_of_82_satisfied_of_100_is_82_percent(admin_user, queue, agent, buyer):
    rf.ratings([5] * 40 + [4] * 42 + [3] * 10 + [2] * 5 + [1] * 3, queue=queue, agent=agent, day=MONDAY, customer=buyer)
    (row,) = figures.csat_by_group(admin_user, RANGE)
    assert (row["n"], row["satisfied"], row["csat"]) == (100, 82, 82.0)


def test_delight_rate_distribution_and_average_come_from_the_same_ratings(admin_user, queue, agent, buyer):
    rf.ratings([5, 5, 4, 3, 1], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    (row,) = figures.csat_by_group(admin_user, RANGE)
    assert row["distribution"] == [1, 0, 1, 1, 2]
    assert row["delight_rate"] == pytest.approx(40.0)
    assert row["average_stars"] == pytest.approx(18 / 5)


def test_response_rate_is_answered_over_sent_surveys(admin_user, queue, agent, buyer):
    rf.ratings([5, 4, 3], queue=queue, agent=agent, day=MONDAY, customer=buyer, unanswered=3)
    (row,) = figures.csat_by_group(admin_user, RANGE)
    assert (row["sent"], row["answered"], row["response_rate"]) == (6, 3, 50.0)


def test_group_below_the_minimum_is_flagged_with_its_n(admin_user, queue, agent, buyer, settings):
    settings.REPORT_MIN_RESPONSES = 5
    other = factories.agent_in(queue.team)
    rf.ratings([5, 5, 5, 5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.ratings([4, 4, 4, 4, 4], queue=queue, agent=other, day=MONDAY, customer=buyer)
    rows = {row["key"]: row for row in figures.csat_by_group(admin_user, RANGE, "agent")}
    assert rows[agent.id]["low_n"] and rows[agent.id]["n"] == 4
    assert not rows[other.id]["low_n"]


def test_minimum_responses_follows_the_setting(admin_user, queue, agent, buyer, settings):
    settings.REPORT_MIN_RESPONSES = 10
    rf.ratings([5] * 9, queue=queue, agent=agent, day=MONDAY, customer=buyer)
    assert figures.csat_by_group(admin_user, RANGE)[0]["low_n"]


def test_grouping_by_agent_splits_the_ratings_and_totals_add_up(admin_user, queue, agent, buyer):
    other = factories.agent_in(queue.team, first_name="Olga", last_name="Other")
    rf.ratings([5, 4, 1, 1], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.ratings([5, 5], queue=queue, agent=other, day=MONDAY, customer=buyer)
    rows = {row["key"]: row for row in figures.csat_by_group(admin_user, RANGE, "agent")}
    assert rows[agent.id]["csat"] == 50.0
    assert rows[other.id]["csat"] == 100.0
    assert rows[other.id]["label"] == "Olga Other"
    total = figures.totals(list(rows.values()))
    assert (total["n"], total["csat"]) == (6, pytest.approx(400 / 6))


def test_grouping_by_week_numbers_weeks_from_monday(admin_user, queue, agent, buyer):
    rf.ratings([5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY + dt.timedelta(days=6), customer=buyer)  # Sunday
    rf.ratings([4], queue=queue, agent=agent, day=MONDAY + dt.timedelta(days=7), customer=buyer)
    rows = figures.csat_by_group(admin_user, RANGE, "week")
    assert [(row["key"], row["n"]) for row in rows] == [("2026-06-01", 2), ("2026-06-08", 1)]
    assert rows[0]["filter"] == {"date_from": "2026-06-01", "date_to": "2026-06-07"}


def test_grouping_by_month(admin_user, queue, agent, buyer):
    rf.ratings([5, 5], queue=queue, agent=agent, day=dt.date(2026, 5, 31), customer=buyer)
    rf.ratings([1], queue=queue, agent=agent, day=dt.date(2026, 6, 1), customer=buyer)
    rows = figures.csat_by_group(admin_user, RANGE, "month")
    assert [(row["label"], row["csat"]) for row in rows] == [("2026-05", 100.0), ("2026-06", 0.0)]


@pytest.mark.parametrize("group", ["team", "queue", "kind", "company"])
def test_every_grouping_partitions_the_ratings(admin_user, queue, agent, group):
    second = factories.QueueFactory(team=factories.TeamFactory())
    a, b = rf.customer(company="A"), rf.customer(company="B")
    rf.ratings([5, 5], queue=queue, agent=agent, day=MONDAY, customer=a, kind="question")
    rf.ratings([1], queue=second, agent=agent, day=MONDAY, customer=b, kind="complaint")
    rows = figures.csat_by_group(admin_user, RANGE, group)
    assert sorted(row["csat"] for row in rows) == [0.0, 100.0]


def test_filters_narrow_the_ratings(admin_user, queue, agent, buyer):
    other = factories.agent_in(queue.team)
    rf.ratings([5, 5], queue=queue, agent=agent, day=MONDAY, customer=buyer, kind="complaint", company="A")
    rf.ratings([1], queue=queue, agent=other, day=MONDAY, customer=buyer, kind="question", company="B")
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY - dt.timedelta(weeks=20), customer=buyer)
    assert figures.csat_by_group(admin_user, RANGE.with_(agent_id=agent.id))[0]["n"] == 2
    assert figures.csat_by_group(admin_user, RANGE.with_(kind="question"))[0]["n"] == 1
    assert figures.csat_by_group(admin_user, RANGE.with_(company="A"))[0]["csat"] == 100.0
    assert figures.csat_by_group(admin_user, RANGE.with_(queue_id=queue.id))[0]["n"] == 3


def test_date_range_includes_both_end_days(admin_user, queue, agent, buyer):
    rf.ratings([5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.ratings([4], queue=queue, agent=agent, day=MONDAY + dt.timedelta(days=2), customer=buyer)
    f = ReportFilter(date_from=MONDAY, date_to=MONDAY + dt.timedelta(days=2))
    assert figures.csat_by_group(admin_user, f)[0]["n"] == 2


def test_supervisor_sees_only_their_teams_ratings(supervisor, queue, agent, buyer):
    elsewhere = factories.QueueFactory(team=factories.TeamFactory())
    rf.ratings([5, 5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.ratings([1, 1, 1], queue=elsewhere, day=MONDAY, customer=buyer)
    (row,) = figures.csat_by_group(supervisor, RANGE)
    assert row["n"] == 2


def test_customer_aggregates_nothing(customer_user, queue, agent, buyer):
    rf.ratings([5, 5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    assert figures.csat_by_group(customer_user, RANGE) == []


def test_asat_counts_pulses_of_4_and_5(admin_user, queue, agent, buyer):
    rf.pulses([5, 4, 3, 2, 1, 4], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    (row,) = figures.asat_by_group(admin_user, RANGE)
    assert (row["n"], row["asat"], row["average_pulse"]) == (6, 50.0, pytest.approx(19 / 6))


def test_an_agent_week_of_fewer_than_five_pulses_is_not_published_at_all(admin_user, queue, agent, buyer, settings):
    """Not even as a count: a row "n=4, hidden" would tell that the agent answered (docs/privacy.md)."""
    settings.REPORT_MIN_RESPONSES = 1
    rf.pulses([5, 4, 3, 2], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    assert figures.asat_by_group(admin_user, RANGE, "agent") == []
    assert figures.asat_by_group(admin_user, RANGE) == []


def test_asat_by_team_follows_the_agents_memberships(admin_user, queue, agent, buyer):
    rf.pulses([5, 5, 5, 1, 1], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    (row,) = figures.asat_by_group(admin_user, RANGE, "team")
    assert (row["key"], row["asat"]) == (queue.team_id, 60.0)


def test_asat_ignores_pending_and_skipped_pulses(admin_user, queue, agent, buyer):
    from feedback.models import AgentPulse

    rf.pulses([5, 5, 5, 5, 5], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    extra = rf.pulses([1, 1], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    AgentPulse.objects.filter(id=extra[0].id).update(score=None)
    AgentPulse.objects.filter(id=extra[1].id).update(score=None, skipped=True)
    (row,) = figures.asat_by_group(admin_user, RANGE)
    assert (row["n"], row["asat"]) == (5, 100.0)


def test_nps_is_promoters_minus_detractors(admin_user, buyer):
    rf.nps([10, 9, 9, 8, 7, 6, 0, 10, 3, 5], customer=buyer, day=MONDAY)
    (row,) = figures.nps_by_group(admin_user, RANGE)
    assert (row["promoters"], row["passives"], row["detractors"], row["nps"]) == (4, 2, 4, 0.0)


def test_revenue_at_risk_uses_the_customers_real_spend(admin_user, db):
    for _ in range(100):
        rf.customer(monthly_spend=Decimal("100"))
    rf.customer(monthly_spend=None)
    report = figures.revenue_at_risk_report(admin_user, RANGE, 90.0)
    assert report["revenue_at_risk"] == Decimal("950.00")
    assert report["per_point"] == Decimal("95.00")
    assert (report["customers"], report["customers_without_spend"]) == (100, 1)


def test_revenue_at_risk_by_company_uses_each_companys_csat(admin_user, queue, agent):
    a = rf.customer(company="A", monthly_spend=Decimal("1000"))
    b = rf.customer(company="B", monthly_spend=Decimal("100"))
    rf.ratings([5, 5, 5, 1], queue=queue, agent=agent, day=MONDAY, customer=a)
    rf.ratings([1, 5], queue=queue, agent=agent, day=MONDAY, customer=b)
    rows = {row["company"]: row for row in figures.revenue_at_risk_by_company(admin_user, RANGE)}
    assert rows["A"]["revenue_at_risk"] == Decimal("237.50")  # 1000 x 25% x 0.95
    assert rows["B"]["revenue_at_risk"] == Decimal("47.50")  # 100 x 50% x 0.95


# --- Correlation, against SciPy ---------------------------------------------------------------------------


def _agent_weeks(queue, buyer, n_pairs, *, relation, seed=1, ties=False):
    """n_pairs agent-weeks, each with 4 ratings and 5 pulses; returns the expected (csat, asat) pairs."""
    rng = random.Random(seed)
    agents = [factories.agent_in(queue.team) for _ in range(max(2, n_pairs // 4))]
    pairs = []
    for i in range(n_pairs):
        agent = agents[i % len(agents)]
        week = MONDAY + dt.timedelta(weeks=i // len(agents))
        good = rng.randint(0, 4) if not ties else rng.choice([2, 4])
        rf.ratings([5] * good + [2] * (4 - good), queue=queue, agent=agent, day=week, customer=buyer)
        happy = relation(good, rng)
        rf.pulses([4] * happy + [1] * (5 - happy), agent=agent, week=week, queue=queue, customer=buyer)
        pairs.append((25.0 * good, 20.0 * happy))
    return pairs


def test_correlation_of_perfectly_related_agent_weeks_is_one(admin_user, queue, buyer):
    pairs = _agent_weeks(queue, buyer, 12, relation=lambda good, rng: good)
    report = figures.correlation_report(admin_user, RANGE)
    assert report["same_week"]["pearson"]["r"] == pytest.approx(1.0)
    assert report["same_week"]["spearman"]["r"] == pytest.approx(1.0)
    assert len(report["points"]) == len(pairs) == report["same_week"]["pearson"]["n"]


def test_correlation_of_opposed_agent_weeks_is_minus_one(admin_user, queue, buyer):
    _agent_weeks(queue, buyer, 12, relation=lambda good, rng: 4 - good)
    report = figures.correlation_report(admin_user, RANGE)
    assert report["same_week"]["pearson"]["r"] == pytest.approx(-1.0)


def test_correlation_of_noisy_agent_weeks_matches_scipy(admin_user, queue, buyer):
    pairs = _agent_weeks(queue, buyer, 40, relation=lambda good, rng: min(5, max(0, good + rng.randint(-2, 2))))
    xs, ys = zip(*pairs, strict=True)
    report = figures.correlation_report(admin_user, RANGE)["same_week"]
    r, p = stats.pearsonr(xs, ys)
    assert report["pearson"]["r"] == pytest.approx(r, abs=1e-4)
    assert report["pearson"]["p_value"] == pytest.approx(p, rel=1e-3, abs=1e-6)
    assert report["spearman"]["r"] == pytest.approx(stats.spearmanr(xs, ys)[0], abs=1e-4)


def test_spearman_with_many_ties_matches_scipy(admin_user, queue, buyer):
    pairs = _agent_weeks(queue, buyer, 24, relation=lambda good, rng: rng.choice([1, 3, 3, 5]), ties=True)
    xs, ys = zip(*pairs, strict=True)
    report = figures.correlation_report(admin_user, RANGE)["same_week"]
    assert report["spearman"]["r"] == pytest.approx(stats.spearmanr(xs, ys)[0], abs=1e-4)


def test_unrelated_agent_weeks_give_a_weak_correlation_matching_scipy(admin_user, queue, buyer):
    pairs = _agent_weeks(queue, buyer, 60, relation=lambda good, rng: rng.randint(0, 5), seed=11)
    xs, ys = zip(*pairs, strict=True)
    report = figures.correlation_report(admin_user, RANGE)["same_week"]
    assert report["pearson"]["r"] == pytest.approx(stats.pearsonr(xs, ys)[0], abs=1e-4)
    assert abs(report["pearson"]["r"]) < 0.3


def test_correlation_below_ten_agent_weeks_says_not_enough_data(admin_user, queue, buyer):
    _agent_weeks(queue, buyer, 9, relation=lambda good, rng: good)
    report = figures.correlation_report(admin_user, RANGE)["same_week"]
    assert report["pearson"]["r"] is None and not report["pearson"]["enough_data"]
    assert report["reading"].startswith("Not enough data")


def test_agent_weeks_with_fewer_than_five_pulses_are_left_out(admin_user, queue, agent, buyer):
    rf.ratings([5, 5], queue=queue, agent=agent, day=MONDAY, customer=buyer)
    rf.pulses([5, 5, 5, 5], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    assert figures.correlation_report(admin_user, RANGE)["points"] == []


def test_lagged_view_pairs_asat_with_next_weeks_csat(admin_user, queue, buyer):
    agents = [factories.agent_in(queue.team) for _ in range(12)]
    for i, agent in enumerate(agents):
        happy = i % 6
        rf.pulses([4] * happy + [1] * (5 - happy), agent=agent, week=MONDAY, queue=queue, customer=buyer)
        # Next week's CSAT follows this week's ASAT; this week's CSAT runs against it.
        good = min(4, happy)
        nxt = MONDAY + dt.timedelta(weeks=1)
        rf.ratings([5] * good + [1] * (4 - good), queue=queue, agent=agent, day=nxt, customer=buyer)
        rf.ratings([5] * (4 - good) + [1] * good, queue=queue, agent=agent, day=MONDAY, customer=buyer)
    report = figures.correlation_report(admin_user, RANGE)
    assert report["next_week"]["pearson"]["n"] == 12
    assert report["next_week"]["pearson"]["r"] > 0.9
    assert report["same_week"]["pearson"]["r"] < -0.9


def test_team_week_correlation_groups_pulses_by_the_agents_team(admin_user, buyer):
    pairs = []
    for i in range(10):
        q = factories.QueueFactory(team=factories.TeamFactory())
        agent = factories.agent_in(q.team)
        good = i % 5
        rf.ratings([5] * good + [1] * (4 - good), queue=q, agent=agent, day=MONDAY, customer=buyer)
        rf.pulses([5] * good + [1] * (5 - good), agent=agent, week=MONDAY, queue=q, customer=buyer)
        pairs.append(good)
    report = figures.correlation_report(admin_user, RANGE, unit="team")
    assert report["same_week"]["pearson"]["n"] == 10
    assert report["same_week"]["pearson"]["r"] == pytest.approx(1.0)
    assert "team" in report["points"][0]


def test_trend_line_goes_through_a_perfect_line(admin_user, queue, buyer):
    _agent_weeks(queue, buyer, 12, relation=lambda good, rng: good)
    trend = figures.correlation_report(admin_user, RANGE)["same_week"]["trend"]
    # asat = 20 * good, csat = 25 * good -> asat = 0.8 * csat
    assert trend["slope"] == pytest.approx(0.8)
    assert trend["intercept"] == pytest.approx(0.0, abs=1e-9)


# --- Burnout watch ----------------------------------------------------------------------------------------


def test_burnout_watch_lists_an_agent_with_many_low_ratings_and_falling_asat(admin_user, queue, agent, buyer):
    steady = factories.agent_in(queue.team)
    end = MONDAY + dt.timedelta(weeks=7)
    for weeks_back in range(8):
        week = end - dt.timedelta(weeks=weeks_back)
        score = 5 if weeks_back >= 4 else 2
        rf.pulses([score] * 5, agent=agent, week=week, queue=queue, customer=buyer)
        rf.pulses([5] * 5, agent=steady, week=week, queue=queue, customer=buyer)
    rf.ratings([1, 1, 2, 5, 5], queue=queue, agent=agent, day=end, customer=buyer)
    rf.ratings([1, 1, 2, 5, 5], queue=queue, agent=steady, day=end, customer=buyer)
    rows = figures.burnout_watch(admin_user, ReportFilter(date_from=end - dt.timedelta(weeks=8), date_to=end))
    assert [row["agent"] for row in rows] == [agent.id]
    assert rows[0]["asat_change"] == pytest.approx(-100.0)


# --- Query counts stay flat as groups grow ----------------------------------------------------------------


def _spread(queue, buyer, n_agents, n_weeks):
    for a in range(n_agents):
        agent = factories.agent_in(queue.team)
        for w in range(n_weeks):
            week = MONDAY + dt.timedelta(weeks=w)
            rf.ratings([5, 4, 1], queue=queue, agent=agent, day=week, customer=buyer)
            rf.pulses([5, 4, 3, 2, 1], agent=agent, week=week, queue=queue, customer=buyer)
        del a


@pytest.mark.parametrize("size", [(1, 1), (6, 4)])
def test_report_queries_do_not_grow_with_agents_or_weeks(
    admin_user, queue, buyer, size, django_assert_max_num_queries
):
    _spread(queue, buyer, *size)
    figures.csat_by_group(admin_user, RANGE)  # warms role_of's per-user cache
    with django_assert_max_num_queries(3):
        figures.csat_by_group(admin_user, RANGE, "agent")
    with django_assert_max_num_queries(2):
        figures.asat_by_group(admin_user, RANGE, "week")
    with django_assert_max_num_queries(2):
        figures.correlation_report(admin_user, RANGE)
    with django_assert_max_num_queries(3):
        figures.burnout_watch(admin_user, RANGE)


def test_burnout_watch_gives_the_same_answer_from_the_csat_by_agent_rows(admin_user, queue, agent, buyer):
    end = MONDAY + dt.timedelta(weeks=7)
    for weeks_back in range(8):
        rf.pulses([5 if weeks_back >= 4 else 1] * 5, agent=agent, week=end - dt.timedelta(weeks=weeks_back),
                  queue=queue, customer=buyer)
    rf.ratings([1, 2, 2, 5, 5], queue=queue, agent=agent, day=end, customer=buyer)
    f = ReportFilter(date_from=end - dt.timedelta(weeks=8), date_to=end)
    rows = figures.csat_by_group(admin_user, f, "agent")
    assert figures.burnout_watch(admin_user, f, agent_rows=rows) == figures.burnout_watch(admin_user, f) != []


def test_agent_and_team_correlations_from_one_query_match_the_separate_ones(
    admin_user, queue, buyer, django_assert_num_queries
):
    _agent_weeks(queue, buyer, 16, relation=lambda good, rng: min(5, good + rng.randint(0, 1)))
    agent_alone = figures.correlation_report(admin_user, RANGE)
    team_alone = figures.correlation_report(admin_user, RANGE, unit="team", with_points=False)
    with django_assert_num_queries(1):
        agent_both, team_both = figures.correlation_reports(admin_user, RANGE)
    assert agent_both == agent_alone
    assert team_both == team_alone
