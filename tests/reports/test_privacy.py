"""The pulse privacy rule (D5, docs/privacy.md, `feedback.pulse_privacy`): no two published figures
differ by fewer than 5 pulses of one agent, between views, ranges and moments.

Every figure built from pulses (team pulse page, report page, API, CSV, weekly email, correlation) is a
sum of published agent-weeks: one agent's 5 or more answers of a week that is over, given before it
closed. The attacks replayed here are the ones that worked: a subtraction between the team pulse page
and the ASAT report (issue 14.2: Kadri's pulse of 2 from n=6, average 3.2, and Aino's n=5, average 3.4),
and two reloads as one more pulse arrives.
"""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.exceptions import PulseAnswerFinal
from feedback.models import AgentPulse
from feedback.pulse_privacy import open_week
from reports import figures
from reports.figures import ReportFilter
from reports.services import weekly_summary_content
from tests import factories
from tests.feedback import reports_factories as rf

MONDAY = dt.date(2026, 6, 1)
PARAMS = {"date_from": "2026-05-25", "date_to": "2026-06-14"}
RANGE = ReportFilter(date_from=dt.date(2026, 5, 25), date_to=dt.date(2026, 6, 14))
LAST_WEEK = open_week() - dt.timedelta(weeks=1)  # closed, and on the team pulse page (its last 12 weeks)
RECENT = {"date_from": (LAST_WEEK - dt.timedelta(weeks=1)).isoformat(), "date_to": timezone.localdate().isoformat()}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def aino_and_kadri(queue):
    """Issue 14.2's team: Aino answered 5 pulses (sum 17, average 3.4), Kadri one pulse of 2."""
    buyer = rf.customer()
    aino = factories.agent_in(queue.team, first_name="Aino", last_name="Aalto")
    kadri = factories.agent_in(queue.team, first_name="Kadri", last_name="Kask")
    rf.pulses([4, 4, 3, 3, 3], agent=aino, week=LAST_WEEK, queue=queue, customer=buyer)
    rf.pulses([2], agent=kadri, week=LAST_WEEK, queue=queue, customer=buyer)
    return {"aino": aino, "kadri": kadri, "team": queue.team}


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


def _published(client) -> dict:
    """Every pulse figure the supervisor logged in to `client` can read: team pulse page, report
    page, API (each grouping), CSV, weekly email."""
    user = client.get(reverse("reports:pulse_team")).context["user"]
    team_page = client.get(reverse("reports:pulse_team")).context["rows"]
    dashboard = client.get(reverse("reports:dashboard"), {**RECENT, "group_by": "agent"}).context
    api = {group: client.get(reverse("api-reports-asat"), {**RECENT, **({"group_by": group} if group else {})}).json()
           for group in ("", "agent", "team", "week")}
    export = client.get(reverse("reports:export", args=["asat"]), {**RECENT, "group_by": "agent"})
    email = weekly_summary_content(user, open_week() - dt.timedelta(weeks=1))["asat"]
    return {
        "team_page": [(r["monday"], r["n"], r["average_pulse"]) for r in team_page],
        "dashboard": [(r["label"], r["n"], r["asat"]) for r in dashboard["asat_groups"]],
        "dashboard_total": dashboard["asat_total"],
        "api": {g: (body["total"], body["groups"]) for g, body in api.items()},
        "csv": export.content,
        "email": email,
    }


def test_kadri_s_pulse_cannot_be_worked_out_from_the_team_page_and_the_asat_report(
    client, supervisor, aino_and_kadri
):
    """Issue 14.2, replayed: the team pulse page's week and Aino's published agent-week differ by
    Kadri's one pulse, so 6 x 3.17 - 5 x 3.4 = 2. Now both count exactly Aino's 5 pulses."""
    client.force_login(supervisor)
    team_week = [row for row in client.get(reverse("reports:pulse_team")).context["rows"]]
    agents = client.get(reverse("api-reports-asat"), {**RECENT, "group_by": "agent"}).json()["groups"]
    (aino,) = [row for row in agents if row["key"] == aino_and_kadri["aino"].id]
    assert [row["n"] for row in team_week] == [aino["n"]] == [5]
    recovered_pulses = team_week[0]["n"] - aino["n"]
    recovered_sum = team_week[0]["n"] * team_week[0]["average_pulse"] - aino["n"] * aino["average_pulse"]
    assert (recovered_pulses, recovered_sum) == (0, pytest.approx(0))
    assert aino_and_kadri["kadri"].id not in [row["key"] for row in agents]


def test_a_pulse_answered_in_the_open_week_moves_no_published_figure(client, supervisor, queue, aino_and_kadri):
    """Two reloads as a pulse arrives: the open week publishes nothing, so nothing moves."""
    aino, kadri = aino_and_kadri["aino"], aino_and_kadri["kadri"]
    buyer = rf.customer()
    rf.pulses([5, 5, 4, 4, 4], agent=aino, week=open_week(), queue=queue, customer=buyer)
    (pending,) = rf.pulses([3], agent=kadri, week=open_week(), queue=queue, customer=buyer)
    AgentPulse.objects.filter(pk=pending.pk).update(score=None, answered_at=None)
    client.force_login(supervisor)
    before = _published(client)
    services.pulse_answer(agent=kadri, pulse_id=pending.pk, score=1)
    assert _published(client) == before


def test_a_late_answer_to_a_closed_week_moves_no_published_figure(client, supervisor, queue, aino_and_kadri):
    kadri = aino_and_kadri["kadri"]
    (pending,) = rf.pulses([3], agent=kadri, week=LAST_WEEK, queue=queue, customer=rf.customer())
    AgentPulse.objects.filter(pk=pending.pk).update(score=None, answered_at=None)
    client.force_login(supervisor)
    before = _published(client)
    assert before["email"]["n"] == 5 and before["team_page"][0][1] == 5
    services.pulse_answer(agent=kadri, pulse_id=pending.pk, score=1)  # accepted: it is Kadri's own record
    assert _published(client) == before


def test_a_counted_answer_of_a_closed_week_is_final(aino_and_kadri):
    aino = aino_and_kadri["aino"]
    counted = AgentPulse.objects.filter(agent=aino, week=LAST_WEEK).first()
    with pytest.raises(PulseAnswerFinal):
        services.pulse_answer(agent=aino, pulse_id=counted.pk, score=1)
    assert AgentPulse.objects.get(pk=counted.pk).score == counted.score


def test_a_counted_weekly_answer_of_a_closed_week_is_final_in_the_api(client, agent):
    services.weekly_pulse_answer(agent=agent, score=4, week=MONDAY, now=rf.aware(MONDAY + dt.timedelta(days=4)))
    client.force_login(agent)
    response = client.post("/api/v1/pulses/", {"kind": "weekly", "score": 1, "week": MONDAY.isoformat()},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "pulse_answer_final"


def test_the_open_week_can_still_be_changed(agent):
    pulse = services.weekly_pulse_answer(agent=agent, score=4)
    assert services.weekly_pulse_answer(agent=agent, score=2).pk == pulse.pk


def test_the_week_closes_at_midnight_in_the_desk_s_time_zone(settings, admin_user, queue, agent):
    settings.TIME_ZONE = "Europe/Tallinn"
    tallinn = zoneinfo.ZoneInfo("Europe/Tallinn")
    pulses = rf.pulses([4, 4, 4, 4, 4, 1], agent=agent, week=MONDAY, queue=queue, customer=rf.customer())
    sunday_night = dt.datetime(2026, 6, 7, 23, 30, tzinfo=tallinn)  # 20:30 UTC: in time
    monday_morning = dt.datetime(2026, 6, 8, 0, 30, tzinfo=tallinn)  # Sunday 21:30 UTC, but late in Tallinn
    AgentPulse.objects.filter(pk=pulses[0].pk).update(answered_at=sunday_night)
    AgentPulse.objects.filter(pk=pulses[5].pk).update(answered_at=monday_morning)
    with timezone.override(tallinn):
        (row,) = figures.asat_by_group(admin_user, RANGE)
    assert (row["n"], row["asat"]) == (5, 100.0)


def test_team_minus_its_agents_reveals_nothing_of_the_one_left_out(admin_user, team_of_three):
    (team_row,) = figures.asat_by_group(admin_user, RANGE, "team")
    agents = {row["key"]: row for row in figures.asat_by_group(admin_user, RANGE, "agent")}
    assert team_of_three["lonely"].id not in agents
    assert team_row["n"] == sum(row["n"] for row in agents.values()) == 16
    assert team_row["asat"] == 100.0


def test_all_minus_the_listed_weeks_reveals_nothing_of_a_thin_week(admin_user, queue):
    buyer = rf.customer()
    regular, lonely = factories.agent_in(queue.team), factories.agent_in(queue.team)
    rf.pulses([5] * 6, agent=regular, week=MONDAY, queue=queue, customer=buyer)
    rf.pulses([1, 2], agent=lonely, week=MONDAY + dt.timedelta(weeks=1), queue=queue, customer=buyer)
    one_week = RANGE.with_(date_from=MONDAY, date_to=MONDAY + dt.timedelta(days=6))
    two_weeks = RANGE.with_(date_from=MONDAY, date_to=MONDAY + dt.timedelta(days=13))
    assert figures.asat_by_group(admin_user, one_week) == figures.asat_by_group(admin_user, two_weeks)
    assert [row["n"] for row in figures.asat_by_group(admin_user, two_weeks, "week")] == [6]


def test_a_week_of_five_pulses_counts_whole(admin_user, queue, agent):
    rf.pulses([5, 4, 3, 2, 1], agent=agent, week=MONDAY, queue=queue, customer=rf.customer())
    (row,) = figures.asat_by_group(admin_user, RANGE, "agent")
    assert (row["n"], row["asat"], row["average_pulse"]) == (5, 40.0, 3.0)


def test_the_api_csv_and_page_publish_the_same_agent_weeks(client, supervisor, team_of_three):
    client.force_login(supervisor)
    api = client.get(reverse("api-reports-asat"), {**PARAMS, "group_by": "team"}).json()
    export = client.get(reverse("reports:export", args=["asat"]), {**PARAMS, "group_by": "team"})
    page = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "team"}).context
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row["n"] for row in api["groups"]] == [int(row[1]) for row in rows[1:]] == [16]
    assert [row["n"] for row in page["asat_groups"]] == [16] and page["asat_total"]["n"] == 16
    assert api["total"]["asat"] == 100.0


def test_team_week_correlation_counts_only_published_agent_weeks(admin_user, team_of_three):
    """The team-week ASAT of the correlation (an internal CTE: it is not published as points)."""
    from django.db import connection

    from reports.figures.correlation import _correlation_ctes

    ctes, params = _correlation_ctes(admin_user, RANGE)
    with connection.cursor() as cursor:
        cursor.execute(f"{ctes} SELECT u, wk, n, sat FROM p_team", params)  # noqa: S608 - test, compiled SQL
        assert cursor.fetchall() == [(team_of_three["team"].id, figures.week_number(MONDAY), 16, 16)]


def test_the_team_pulse_page_keeps_its_queries_flat(client, supervisor, queue, django_assert_max_num_queries):
    client.force_login(supervisor)
    buyer = rf.customer()
    for agents in (1, 6):
        for _ in range(agents):
            agent = factories.agent_in(queue.team)
            for weeks_ago in range(1, 4):
                week = open_week() - dt.timedelta(weeks=weeks_ago)
                rf.pulses([4] * 5, agent=agent, week=week, queue=queue, customer=buyer)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("reports:pulse_team")).status_code == 200
