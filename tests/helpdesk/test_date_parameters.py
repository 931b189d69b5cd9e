"""Every date parameter, in the API and on the pages, parses through helpdesk.dates: a bad value is a clear
validation error (API: 400 with the error contract; pages: a form error), never a 500."""

import pytest
from rest_framework.test import APIClient

from helpdesk.dates import parse_date, parse_datetime

pytestmark = pytest.mark.django_db

BAD_OFFSET = "2026-01-01T00:00:00+20:00"  # PostgreSQL refuses offsets beyond ±15:59 (DataError)
BAD_DATETIMES = [BAD_OFFSET, "9999-12-31", "0001-01-01", "2026-02-30", "not-a-date", "2026-01-01T25:00:00"]
BAD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "yesterday", "2026-01-01T00:00:00+20:00"]

# (path, parameter, bad values): every API list or report that takes a date in its query string.
API_QUERY_DATES = [
    ("/api/v1/tickets/", "created_after", BAD_DATETIMES),
    ("/api/v1/tickets/", "created_before", BAD_DATETIMES),
    ("/api/v1/ratings/", "since", BAD_DATETIMES),
    ("/api/v1/ratings/", "until", BAD_DATETIMES),
    ("/api/v1/escalations/", "created_after", BAD_DATETIMES),
    ("/api/v1/escalations/", "created_before", BAD_DATETIMES),
    ("/api/v1/reports/csat/", "date_from", BAD_DATES),
    ("/api/v1/reports/asat/", "date_to", BAD_DATES),
    ("/api/v1/reports/nps/", "date_from", BAD_DATES),
    ("/api/v1/reports/correlation/", "date_to", BAD_DATES),
    ("/api/v1/reports/revenue-at-risk/", "date_from", BAD_DATES),
    ("/api/v1/reports/escalations/", "date_from", BAD_DATES),
    ("/api/v1/reports/escalations/", "date_to", BAD_DATES),
]

# (path, parameter, bad values): every page that takes a date in its query string.
PAGE_DATES = [
    ("/tickets/", "created_after", BAD_DATETIMES),
    ("/tickets/", "created_before", BAD_DATETIMES),
    ("/reports/", "date_from", BAD_DATES),
    ("/reports/", "date_to", BAD_DATES),
    ("/reports/ratings/", "date_to", BAD_DATES),
    ("/escalations/measures/", "date_from", BAD_DATES),
    ("/escalations/measures/", "date_to", BAD_DATES),
]


def _cases(table):
    return [pytest.param(path, name, value, id=f"{path}?{name}={value}") for path, name, values in table
            for value in values]


@pytest.fixture
def api(admin_user, queue):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.mark.parametrize(("path", "name", "value"), _cases(API_QUERY_DATES))
def test_bad_date_in_an_api_query_answers_400_with_the_error_contract(api, path, name, value):
    response = api.get(path, {name: value})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    assert name in str(body["errors"])


@pytest.mark.parametrize("value", BAD_DATES)
def test_bad_week_in_a_pulse_answers_400(client, agent, value):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post("/api/v1/pulses/", {"kind": "weekly", "score": 4, "week": value}, format="json")
    assert response.status_code == 400
    assert "week" in response.json()["errors"]


@pytest.mark.parametrize(("path", "name", "value"), _cases(PAGE_DATES))
def test_bad_date_on_a_page_is_a_form_error_not_a_crash(client, admin_user, queue, path, name, value):
    client.force_login(admin_user)
    response = client.get(path, {name: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid()
    assert name in form.errors
    assert str(form.errors[name][0]) in response.content.decode()


@pytest.mark.parametrize("value", BAD_DATES)
def test_bad_date_in_a_report_export_answers_400(client, admin_user, value):
    client.force_login(admin_user)
    response = client.get("/reports/export/csat.csv", {"date_to": value})
    assert response.status_code == 400


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["/api/v1/tickets/", "/api/v1/escalations/", "/api/v1/ratings/"])
def test_offset_postgres_cannot_store_answers_400_on_postgres(api, path):
    name = "since" if "ratings" in path else "created_after"
    assert api.get(path, {name: BAD_OFFSET}).status_code == 400


@pytest.mark.postgres
def test_offset_postgres_cannot_store_is_a_form_error_on_the_ticket_list_on_postgres(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/tickets/", {"created_after": BAD_OFFSET})
    assert response.status_code == 200
    assert "created_after" in response.context["form"].errors


def test_good_dates_still_filter(api, ticket):
    day = ticket.created_at.date().isoformat()
    assert api.get("/api/v1/tickets/", {"created_after": day}).json()["count"] == 1
    assert api.get("/api/v1/tickets/", {"created_before": day}).json()["count"] == 0
    moment = ticket.created_at.isoformat()
    assert api.get("/api/v1/tickets/", {"created_after": moment}).json()["count"] == 1
    assert api.get("/api/v1/reports/csat/", {"date_from": "2026-01-05", "date_to": "2026-02-01"}).status_code == 200


def test_a_date_time_with_a_real_offset_is_the_same_instant_in_utc():
    assert parse_datetime("2026-01-01T10:00:00+14:00").isoformat() == "2025-12-31T20:00:00+00:00"
    assert parse_datetime("2026-01-01T10:00:00-03:30").isoformat() == "2026-01-01T13:30:00+00:00"


def test_a_plain_day_is_accepted_where_a_date_time_is_expected():
    assert parse_datetime("2026-03-04").date().isoformat() == "2026-03-04"
    assert parse_date("2026-03-04").isoformat() == "2026-03-04"
