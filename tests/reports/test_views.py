"""The report pages: dashboard, drill-down and CSV show the same numbers, to supervisors and admins only."""

import csv
import datetime as dt
import io
import json
import re

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
    """Two agents over three weeks, with pulses, a relationship survey and spend."""
    buyer = rf.customer(company="Purrfect Prints")
    other = factories.agent_in(queue.team, first_name="Olga", last_name="Other")
    for w in range(3):
        week = MONDAY + dt.timedelta(weeks=w)
        rf.ratings([5, 5, 4, 2, 1], queue=queue, agent=agent, day=week, customer=buyer, unanswered=1)
        rf.ratings([5, 4, 4], queue=queue, agent=other, day=week, customer=buyer)
        rf.pulses([5, 4, 4, 2, 1], agent=agent, week=week, queue=queue, customer=buyer)
        rf.pulses([5, 5, 4, 4, 4], agent=other, week=week, queue=queue, customer=buyer)
    rf.nps([10, 9, 7, 3, 0], customer=buyer, day=MONDAY)
    return {"agent": agent, "other": other, "buyer": buyer}


def test_dashboard_shows_the_headline_csat_to_a_supervisor(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), PARAMS)
    assert response.status_code == 200
    total = response.context["total"]
    assert (total["n"], total["satisfied"]) == (24, 18)
    assert "75.0%" in response.content.decode()


def test_dashboard_renders_for_an_admin_with_no_data(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert response.context["total"]["csat"] is None


def test_dashboard_chart_data_goes_through_json_script(client, supervisor, desk):
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard"), PARAMS).content.decode()
    match = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["distribution"] == [3, 3, 0, 9, 9]
    assert data["trend"]["weeks"] == ["2026-06-01", "2026-06-08", "2026-06-15"]
    assert "<script>" not in html  # CSP: no inline script


def test_bad_dates_show_a_message_and_keep_the_input(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), {"date_from": "2026-07-01", "date_to": "2026-06-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The start date must not be after the end date." in html
    assert 'value="2026-07-01"' in html


def test_garbage_parameters_never_give_a_500(client, supervisor, desk):
    client.force_login(supervisor)
    bad = {"date_from": "yesterday", "agent": "x", "team": "99999", "group_by": "shoe", "customers": "-1",
           "csat": "NaN"}
    assert client.get(reverse("reports:dashboard"), bad).status_code == 200
    assert client.get(reverse("reports:ratings"), {**bad, "stars_max": "9"}).status_code == 200
    assert client.get(reverse("reports:export", args=["csat"]), bad).status_code == 400


@pytest.mark.parametrize("who", ["agent", "customer_user"])
def test_dashboard_is_refused_to_agents_and_customers(client, who, request, desk):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:export", args=["csat"])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_group_rows_link_to_their_low_ratings_and_the_list_links_to_tickets(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "agent"})
    row = next(r for r in response.context["groups"] if r["key"] == desk["agent"].id)
    listing = client.get(row["drill_low_url"])
    ratings = list(listing.context["page"].object_list)
    assert len(ratings) == 6 and all(r.stars <= 2 and r.agent_id == desk["agent"].id for r in ratings)
    assert reverse("tickets:detail", args=[ratings[0].ticket.reference]) in listing.content.decode() or (
        ratings[0].ticket.reference is None
    )


def test_csv_and_page_agree(client, supervisor, desk):
    client.force_login(supervisor)
    page = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "agent"})
    export = client.get(reverse("reports:export", args=["csat"]), {**PARAMS, "group_by": "agent"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    by_label = {r[0]: r for r in rows[1:]}
    for group in page.context["groups"]:
        assert by_label[group["label"]][1] == str(group["n"])
        assert by_label[group["label"]][2] == f"{group['csat']:.2f}"


@pytest.mark.parametrize("table", ["csat", "asat", "nps", "correlation", "burnout", "revenue", "ratings"])
def test_every_table_exports_to_csv(client, supervisor, desk, table):
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=[table]), PARAMS)
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) >= 1


def test_csv_defuses_spreadsheet_formulas(client, supervisor, queue, agent):
    evil = rf.customer(company="=HYPERLINK(\"http://x\")")
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY, customer=evil)
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["csat"]), {**PARAMS, "group_by": "company"})
    assert "'=HYPERLINK" in response.content.decode()


def test_what_if_reproduces_the_d4_example(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), {"customers": 100, "monthly_spend": 100, "csat": 90})
    assert str(response.context["whatif"]["revenue_at_risk"]) == "950.00"
    assert str(response.context["whatif"]["per_point"]) == "95.00"


def test_dashboard_query_count_does_not_grow_with_agents_and_weeks(
    client, supervisor, queue, desk, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("reports:dashboard")
    client.get(url, {**PARAMS, "group_by": "agent"})
    with django_assert_max_num_queries(45) as small:
        client.get(url, {**PARAMS, "group_by": "agent"})
    for _ in range(5):
        extra = factories.agent_in(queue.team)
        for w in range(6):
            week = MONDAY + dt.timedelta(weeks=w)
            rf.ratings([5, 3], queue=queue, agent=extra, day=week, customer=desk["buyer"])
            rf.pulses([5, 4, 3, 2, 1], agent=extra, week=week, queue=queue, customer=desk["buyer"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {**PARAMS, "group_by": "agent"})


def test_ratings_list_query_count_is_flat(client, supervisor, queue, agent, desk, django_assert_max_num_queries):
    client.force_login(supervisor)
    url = reverse("reports:ratings")
    client.get(url, PARAMS)
    with django_assert_max_num_queries(15) as small:
        client.get(url, PARAMS)
    rf.ratings([1] * 30, queue=queue, agent=agent, day=MONDAY, customer=desk["buyer"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, PARAMS)


def test_a_group_with_too_few_responses_is_greyed_with_its_n(client, supervisor, queue, settings):
    settings.REPORT_MIN_RESPONSES = 5
    lonely = factories.agent_in(queue.team, first_name="Lonely", last_name="Agent")
    rf.ratings([5, 5], queue=queue, agent=lonely, day=MONDAY, customer=rf.customer())
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "agent"}).content.decode()
    row = re.search(r'<tr class="figure-thin">\s*<th scope="row">Lonely Agent</th>\s*<td>(.*?)</td>', html, re.S)
    assert row and "n=2" in row.group(1)


def test_escalation_panel_covers_the_dashboard_s_date_range(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), PARAMS)
    assert "reports/_escalation_panel.html" in [t.name for t in response.templates]
    headline = response.context["escalation"]["headline"]
    assert (str(headline["date_from"]), str(headline["date_to"])) == ("2026-05-01", "2026-07-31")


@pytest.mark.parametrize(("role", "shown"), [("supervisor", True), ("admin", True), ("agent", False), ("", False)])
def test_reports_nav_item_is_for_supervisors_and_admins(role, shown, db):
    from django.template.loader import render_to_string

    html = render_to_string("reports/_nav.html", {"nav_role": role})
    assert (reverse("reports:dashboard") in html) is shown
    assert (reverse("reports:pulse_team") in html) is shown


def test_agent_weeks_of_fewer_than_five_pulses_publish_no_asat_row(client, supervisor, queue, agent):
    """Six pulses, but three per agent-week: no row, no count (docs/privacy.md)."""
    buyer = rf.customer()
    other = factories.agent_in(queue.team)
    rf.pulses([5, 4, 4], agent=agent, week=MONDAY, queue=queue, customer=buyer)
    rf.pulses([5, 5, 4], agent=other, week=MONDAY, queue=queue, customer=buyer)
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard"), {**PARAMS, "group_by": "team"})
    assert response.context["asat_groups"] == [] and response.context["asat_total"] is None
    assert "No pulses in this range." in response.content.decode()


ANSWER = "Nobody called back <b>for a week</b> & the frame was still broken."


def _low_rating_with_answer(queue, agent):
    from feedback.models import Rating

    rating = rf.ratings([2], queue=queue, agent=agent, day=MONDAY, customer=rf.customer())[0]
    Rating.objects.filter(pk=rating.pk).update(follow_up=ANSWER, comment="Also rude.")
    return rating


def test_ratings_list_shows_the_customers_answer_to_the_follow_up_question_escaped(client, supervisor, queue,
                                                                                    agent):
    _low_rating_with_answer(queue, agent)
    client.force_login(supervisor)
    body = client.get(reverse("reports:ratings"), PARAMS).content.decode()
    assert "Follow-up answer" in body
    assert "Nobody called back &lt;b&gt;for a week&lt;/b&gt; &amp; the frame was still broken." in body
    assert "<b>for a week</b>" not in body
    assert "Also rude." in body


def test_ratings_csv_has_the_customers_answer_to_the_follow_up_question(client, supervisor, queue, agent):
    _low_rating_with_answer(queue, agent)
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["ratings"]), PARAMS)
    header, row = list(csv.reader(io.StringIO(response.content.decode())))[-2:]
    by_column = dict(zip(header, row, strict=True))
    assert by_column["Follow-up answer"] == ANSWER
    assert by_column["Comment"] == "Also rude."
