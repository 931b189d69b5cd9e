"""CSV exports a spreadsheet opens safely and correctly: a formula in any width is defused, and a
UTF-8 byte order mark tells Excel the encoding (issue 14.9, 13.13)."""

import codecs
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from feedback.models import Rating
from tests.feedback import reports_factories as rf

MONDAY = dt.date(2026, 6, 1)
PARAMS = {"date_from": "2026-05-01", "date_to": "2026-07-31"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "lead",
    [
        "\uff1d",  # FULLWIDTH EQUALS SIGN
        "\ufe66",  # SMALL EQUALS SIGN
        "\uff0b",  # FULLWIDTH PLUS SIGN
        "\ufe62",  # SMALL PLUS SIGN
        "\uff0d",  # FULLWIDTH HYPHEN-MINUS
        "\ufe63",  # SMALL HYPHEN-MINUS
        "\uff20",  # FULLWIDTH COMMERCIAL AT
        "\ufe6b",  # SMALL COMMERCIAL AT
        "=",
        "\t",
        "\r",
    ],
)
def test_a_formula_in_any_width_at_the_start_of_a_cell_is_defused(client, supervisor, queue, agent, lead):
    company = lead + 'HYPERLINK("http://x";"click")'
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY, customer=rf.customer(company=company))
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["csat"]), {**PARAMS, "group_by": "company"})
    (cell,) = [row[0] for row in _rows(response)[1:]]
    assert cell == "'" + company


def test_text_that_merely_contains_a_sign_is_left_alone(client, supervisor, queue, agent):
    rf.ratings([1], queue=queue, agent=agent, day=MONDAY, customer=rf.customer(company="A=B Ltd"))
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["csat"]), {**PARAMS, "group_by": "company"})
    assert [row[0] for row in _rows(response)[1:]] == ["A=B Ltd"]


@pytest.mark.parametrize("table", ["csat", "asat", "nps", "correlation", "burnout", "revenue", "ratings"])
def test_every_export_starts_with_a_utf8_byte_order_mark(client, supervisor, table):
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=[table]), PARAMS)
    assert response.content.startswith(codecs.BOM_UTF8)
    assert not response.content[3:].startswith(codecs.BOM_UTF8)


def test_excel_reads_umlauts_of_a_comment(client, supervisor, queue, agent):
    (rating,) = rf.ratings([2], queue=queue, agent=agent, day=MONDAY, customer=rf.customer())
    Rating.objects.filter(pk=rating.pk).update(comment="Ärgerlich, wirklich ärgerlich")
    client.force_login(supervisor)
    response = client.get(reverse("reports:export", args=["ratings"]), PARAMS)
    # Excel takes a file without a BOM for the system's code page: the BOM is what makes it UTF-8.
    assert response.content.startswith(codecs.BOM_UTF8)
    assert "Ärgerlich, wirklich ärgerlich" in [row[-1] for row in _rows(response)]
