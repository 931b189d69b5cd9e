"""Revenue at risk (D4) names its currency (REVENUE_CURRENCY, EUR by default), written the reader's way:
the language's digits and the currency's place (before or after the amount) on the page, in the
weekly email, in the CSV header and in the API."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation

from reports import services
from tests.feedback import reports_factories as rf

NBSP = "\xa0"
WHAT_IF = {"customers": 100, "monthly_spend": 100, "csat": 75}  # D4: 2,375 a month at risk, 95 per point
PARAMS = {"date_from": "2026-05-01", "date_to": "2026-07-31"}
WEEK = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its user's language and leaves it active: give the next test the one it had."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rated(queue, agent):
    buyer = rf.customer(monthly_spend=1000)
    rf.ratings([5, 4, 4, 2], queue=queue, agent=agent, day=WEEK + dt.timedelta(days=2), customer=buyer)
    return buyer


def _in_language(user, language: str) -> None:
    user.profile.language = language
    user.profile.save(update_fields=["language"])


@pytest.mark.parametrize(("language", "at_risk", "per_point"), [
    ("en", "€2,375.00", "€95.00"),
    ("nl", f"€{NBSP}2.375,00", f"€{NBSP}95,00"),
    ("fi", f"2{NBSP}375,00{NBSP}€", f"95,00{NBSP}€"),
])
def test_what_if_names_the_currency_the_readers_way(client, supervisor, language, at_risk, per_point):
    _in_language(supervisor, language)
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard"), WHAT_IF).content.decode()
    assert at_risk in html and per_point in html


def test_the_headline_and_company_table_name_the_currency(client, supervisor, rated):
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard"), PARAMS).content.decode()
    assert "€237.50" in html  # 1,000 a month x (1 - 75% CSAT) x 0.95, in the headline and the company's row
    assert html.count("€237.50") >= 2


def test_the_currency_is_a_setting(client, supervisor, settings):
    client.force_login(supervisor)
    settings.REVENUE_CURRENCY = "USD"
    assert "$2,375.00" in client.get(reverse("reports:dashboard"), WHAT_IF).content.decode()
    settings.REVENUE_CURRENCY = "sek"  # no symbol: the code, apart from the digits
    assert f"SEK{NBSP}2,375.00" in client.get(reverse("reports:dashboard"), WHAT_IF).content.decode()


def test_the_weekly_email_names_the_currency(supervisor, rated, mailoutbox):
    _in_language(supervisor, "fi")
    services.weekly_summary_send(user_id=supervisor.id, week_start=WEEK)
    (mail,) = mailoutbox
    assert f"237,50{NBSP}€" in mail.body
    assert f"237,50{NBSP}€" in mail.alternatives[0][0]


def test_the_csv_header_and_the_api_name_the_currency(client, supervisor, rated):
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["revenue"]), PARAMS)
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Revenue at risk per month (EUR)" in header
    report = client.get(reverse("api-reports-revenue-at-risk"), PARAMS).json()
    assert report["currency"] == "EUR"
    assert client.get(reverse("api-reports-revenue-at-risk"), WHAT_IF).json()["currency"] == "EUR"
