"""The report API: same figures as the pages, same filters, staff only, what-if for revenue at risk."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.feedback import reports_factories as rf

MONDAY = dt.date(2026, 6, 1)
PARAMS = {"date_from": "2026-05-01", "date_to": "2026-07-31"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(queue, agent):
    buyer = rf.customer(company="Purrfect Prints")
    others = [factories.agent_in(queue.team) for _ in range(3)]
    for w in range(4):
        week = MONDAY + dt.timedelta(weeks=w)
        for i, a in enumerate([agent, *others]):
            good = (w + i) % 4
            rf.ratings([5] * good + [1] * (4 - good), queue=queue, agent=a, day=week, customer=buyer)
            rf.pulses([5] * (good + 1) + [2] * (4 - good), agent=a, week=week, queue=queue, customer=buyer)
    rf.nps([10, 9, 8, 3, 6], customer=buyer, day=MONDAY)
    return {"buyer": buyer, "agents": [agent, *others]}


def test_csat_api_agrees_with_the_dashboard(client, supervisor, desk):
    client.force_login(supervisor)
    api = client.get(reverse("api-reports-csat"), {**PARAMS, "group_by": "agent"}).json()
    page = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "agent"}).context
    assert api["total"]["n"] == page["total"]["n"] == 64
    assert api["total"]["csat"] == round(page["total"]["csat"], 4)
    assert {g["key"]: g["n"] for g in api["groups"]} == {g["key"]: g["n"] for g in page["groups"]}


def test_csat_api_filters_by_agent(client, supervisor, desk):
    client.force_login(supervisor)
    agent = desk["agents"][0]
    data = client.get(reverse("api-reports-csat"), {**PARAMS, "agent": agent.id}).json()
    assert data["total"]["n"] == 16
    assert data["filters"]["agent"] == agent.id


def test_asat_api_groups_by_week(client, supervisor, desk):
    client.force_login(supervisor)
    data = client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "week"}).json()
    assert [g["key"] for g in data["groups"]] == ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"]
    assert all(g["n"] == 20 for g in data["groups"])


def test_asat_api_refuses_a_grouping_pulses_do_not_have(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "queue"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_nps_api(client, supervisor, desk):
    client.force_login(supervisor)
    data = client.get(reverse("api-reports-nps"), PARAMS).json()
    assert (data["total"]["n"], data["total"]["nps"]) == (5, 0.0)


def test_correlation_api_returns_coefficients_interval_p_value_and_points(client, supervisor, desk):
    client.force_login(supervisor)
    data = client.get(reverse("api-reports-correlation"), PARAMS).json()
    pearson = data["same_week"]["pearson"]
    assert pearson["n"] == 16 == len(data["points"])
    assert pearson["r"] == pytest.approx(1.0)
    assert set(data["points"][0]) == {"agent", "week", "csat", "asat", "n_ratings", "n_pulses"}
    assert {"ci_low", "ci_high", "p_value"} <= set(pearson)
    assert data["next_week"]["pearson"]["n"] == 12


def test_revenue_at_risk_what_if_reproduces_d4(client, supervisor, db):
    client.force_login(supervisor)
    url = reverse("api-reports-revenue-at-risk")
    data = client.get(url, {"customers": 100, "monthly_spend": 100, "csat": 90}).json()
    assert (data["revenue_at_risk"], data["per_point"]) == ("950.00", "95.00")
    data = client.get(url, {"customers": 100, "monthly_spend": 100, "csat": 75, "churn": "0.95"}).json()
    assert data["revenue_at_risk"] == "2375.00"


def test_revenue_at_risk_what_if_rejects_nonsense_with_400(client, supervisor, db):
    client.force_login(supervisor)
    response = client.get(reverse("api-reports-revenue-at-risk"), {"customers": -5, "monthly_spend": "x", "csat": 120})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"customers", "monthly_spend", "csat"}


def test_revenue_at_risk_of_the_desk_uses_real_spend(client, admin_user, desk):
    client.force_login(admin_user)
    data = client.get(reverse("api-reports-revenue-at-risk"), PARAMS).json()
    csat = Decimal(str(round(data["csat"], 4)))
    expected = (Decimal(100) * (100 - csat) / 100 * Decimal("0.95")).quantize(Decimal("0.01"))
    assert Decimal(data["revenue_at_risk"]) == expected
    assert data["per_point"] == "0.95"


def test_agents_get_team_level_figures_but_not_individuals(client, agent, desk):
    client.force_login(agent)
    assert client.get(reverse("api-reports-csat"), {**PARAMS, "group_by": "team"}).status_code == 200
    assert client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "team"}).status_code == 200
    assert client.get(reverse("api-reports-csat"), {**PARAMS, "group_by": "agent"}).status_code == 400
    assert client.get(reverse("api-reports-asat"), {**PARAMS, "agent": agent.id}).status_code == 403
    assert client.get(reverse("api-reports-correlation"), PARAMS).status_code == 403
    assert client.get(reverse("api-reports-revenue-at-risk"), PARAMS).status_code == 403


@pytest.mark.parametrize("name", ["csat", "asat", "nps", "correlation", "revenue-at-risk"])
def test_customers_are_refused_every_report(client, customer_user, name):
    client.force_login(customer_user)
    assert client.get(reverse(f"api-reports-{name}")).status_code == 403


@pytest.mark.parametrize("name", ["csat", "asat", "nps", "correlation", "revenue-at-risk"])
def test_bad_parameters_answer_400_not_500(client, supervisor, name, db):
    client.force_login(supervisor)
    response = client.get(reverse(f"api-reports-{name}"), {"date_from": "2026-13-45", "queue": "abc"})
    assert response.status_code == 400


def test_api_query_count_is_flat_as_agents_grow(client, supervisor, queue, desk, django_assert_max_num_queries):
    client.force_login(supervisor)
    urls = [reverse(f"api-reports-{n}") for n in ("csat", "asat", "nps", "correlation", "revenue-at-risk")]
    for url in urls:
        client.get(url, {**PARAMS, "group_by": "week"} if "nps" not in url else PARAMS)
    counts = []
    for url in urls:
        with django_assert_max_num_queries(12) as ctx:
            client.get(url, {**PARAMS, "group_by": "week"} if "nps" not in url else PARAMS)
        counts.append(len(ctx.captured_queries))
    for _ in range(4):
        extra = factories.agent_in(queue.team)
        rf.ratings([5, 1], queue=queue, agent=extra, day=MONDAY, customer=desk["buyer"])
        rf.pulses([5, 4, 3, 2, 1], agent=extra, week=MONDAY, queue=queue, customer=desk["buyer"])
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url, {**PARAMS, "group_by": "week"} if "nps" not in url else PARAMS)


@pytest.mark.parametrize("dates", [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_dates_at_the_edge_of_the_calendar_answer_400(client, supervisor, db, dates):
    client.force_login(supervisor)
    response = client.get(reverse("api-reports-csat"), {"date_from": dates[0], "date_to": dates[1]})
    assert response.status_code == 400
