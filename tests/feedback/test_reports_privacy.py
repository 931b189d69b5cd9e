"""Privacy by subtraction (D5): no difference of published ASAT figures isolates fewer than 5 pulses.

The attack: a team's total minus its visible agents (or one range minus another) gives the pulses of
the hidden agent (or week). Every ASAT figure now counts only agent-weeks of 5 answers or more, so the
difference is always empty or a whole cell of 5 or more. Page, API and CSV read the same selector.
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from feedback import metrics
from feedback.metrics import ReportFilter
from tests import factories
from tests.feedback import reports_factories as rf

MONDAY = dt.date(2026, 6, 1)
PARAMS = {"date_from": "2026-05-25", "date_to": "2026-06-14"}
RANGE = ReportFilter(date_from=dt.date(2026, 5, 25), date_to=dt.date(2026, 6, 14))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team_of_three(queue):
    """Two agents with 8 happy pulses each, a third with 2 unhappy pulses, the same week, one team."""
    buyer = rf.customer()
    happy = [factories.agent_in(queue.team) for _ in range(2)]
    lonely = factories.agent_in(queue.team)
    for agent in happy:
        rf.pulses([5] * 8, agent=agent, week=MONDAY, queue=queue, customer=buyer)
    rf.pulses([1, 1], agent=lonely, week=MONDAY, queue=queue, customer=buyer)
    return {"happy": happy, "lonely": lonely, "team": queue.team}


def _satisfied(row) -> float:
    return 0.0 if row["asat"] is None else row["asat"] * row["n_used"] / 100


def test_team_minus_its_visible_agents_reveals_nothing_of_the_hidden_one(admin_user, team_of_three):
    (team_row,) = metrics.asat_by_group(admin_user, RANGE, "team")
    agents = {row["key"]: row for row in metrics.asat_by_group(admin_user, RANGE, "agent")}
    visible = [agents[a.id] for a in team_of_three["happy"]]
    assert agents[team_of_three["lonely"].id]["hidden"]
    # What a subtraction would isolate: no pulse, no satisfied pulse.
    assert team_row["n_used"] - sum(r["n_used"] for r in visible) == 0
    assert _satisfied(team_row) - sum(_satisfied(r) for r in visible) == pytest.approx(0)
    assert team_row["asat"] == 100.0 and team_row["n"] == 18


def test_all_minus_the_visible_weeks_reveals_nothing_of_a_thin_week(admin_user, queue):
    buyer = rf.customer()
    regular, lonely = factories.agent_in(queue.team), factories.agent_in(queue.team)
    rf.pulses([5] * 6, agent=regular, week=MONDAY, queue=queue, customer=buyer)
    rf.pulses([1, 2], agent=lonely, week=MONDAY + dt.timedelta(weeks=1), queue=queue, customer=buyer)
    one_week = RANGE.with_(date_from=MONDAY, date_to=MONDAY + dt.timedelta(days=6))
    two_weeks = RANGE.with_(date_from=MONDAY, date_to=MONDAY + dt.timedelta(days=13))
    (short,) = metrics.asat_by_group(admin_user, one_week)
    (long,) = metrics.asat_by_group(admin_user, two_weeks)
    assert (long["n_used"], long["asat"], long["average_pulse"]) == (short["n_used"], short["asat"],
                                                                     short["average_pulse"])
    weeks = metrics.asat_by_group(admin_user, two_weeks, "week")
    assert [row["hidden"] for row in weeks] == [False, True]


def test_a_week_of_five_pulses_or_more_still_counts_whole(admin_user, queue, agent):
    rf.pulses([5, 4, 3, 2, 1], agent=agent, week=MONDAY, queue=queue, customer=rf.customer())
    (row,) = metrics.asat_by_group(admin_user, RANGE, "agent")
    assert (row["n_used"], row["asat"], row["hidden"]) == (5, 40.0, False)


def test_the_api_closes_the_same_subtraction(client, supervisor, team_of_three):
    client.force_login(supervisor)
    team = client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "team"}).json()
    agents = client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "agent"}).json()
    (team_row,) = team["groups"]
    visible = [row for row in agents["groups"] if not row["hidden"]]
    assert team_row["n_used"] == sum(row["n_used"] for row in visible)
    assert team_row["asat"] == 100.0 and team["total"]["asat"] == 100.0


def test_the_csv_closes_the_same_subtraction(client, supervisor, team_of_three):
    client.force_login(supervisor)
    response = client.get(reverse("feedback:report_export", args=["asat"]), {**PARAMS, "group_by": "team"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [float(rows[1][2])] == [100.0]  # not 16 of 18


def test_the_page_closes_the_same_subtraction(client, supervisor, team_of_three):
    client.force_login(supervisor)
    response = client.get(reverse("feedback:dashboard"), {**PARAMS, "group_by": "team"})
    (team_row,) = response.context["asat_groups"]
    assert team_row["asat"] == 100.0
    assert response.context["asat_total"]["asat"] == 100.0


def test_team_week_correlation_counts_only_whole_agent_weeks(admin_user, team_of_three):
    """The team-week ASAT of the correlation (an internal CTE: it is not published as points)."""
    from django.db import connection

    ctes, params = metrics._correlation_ctes(admin_user, RANGE)
    with connection.cursor() as cursor:
        cursor.execute(f"{ctes} SELECT u, wk, n, sat FROM p_team", params)  # noqa: S608 - test, compiled SQL
        assert cursor.fetchall() == [(team_of_three["team"].id, metrics.week_number(MONDAY), 16, 16)]
