"""A refused support form (or follow-page reply) opens with an error summary that takes the focus and
links each error to its field; nothing typed is lost. (The browser's side: tests/e2e/test_accessibility.py.)"""

import re

import pytest
from django.urls import reverse

from tests import factories
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    match = re.search(r"<div[^>]*data-error-summary[^>]*>.*?</ul>", html, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_refused_support_form_has_a_focusable_alert_summary(client, queue):
    html = client.post(reverse("tickets:support"), {"name": "Mari", "email": "not-an-email",
                                                    "subject": "Frame", "description": "hi"}).content.decode()
    opening = _summary(html).split(">", 1)[0]
    for attribute in ('role="alert"', 'tabindex="-1"', "autofocus", 'id="form-errors"'):
        assert attribute in opening


def test_summary_links_each_error_to_its_field(client, queue):
    html = client.post(reverse("tickets:support"), {"name": "Mari", "email": "not-an-email",
                                                    "subject": "Frame", "description": "hi"}).content.decode()
    links = re.findall(r'<a[^>]*href="#(\w+)"[^>]*>([^<]+)</a>', _summary(html))
    assert links == [("id_email", "Your email"), ("id_description", "How can we help?")]
    assert 'id="id_email"' in html and 'id="id_description"' in html


def test_summary_keeps_every_typed_word(client, queue):
    html = client.post(reverse("tickets:support"), {"name": "Mari Maasikas", "email": "not-an-email",
                                                    "subject": "Frame missing", "description": "hi"}).content.decode()
    assert 'value="Mari Maasikas"' in html and 'value="not-an-email"' in html and 'value="Frame missing"' in html
    assert re.search(r'<textarea[^>]*name="description"[^>]*>\s*hi</textarea>', html)


def test_a_clean_form_has_no_summary(client, queue):
    assert "data-error-summary" not in client.get(reverse("tickets:support")).content.decode()


def test_refused_follow_page_reply_has_the_same_summary(client, queue):
    ticket = factories.TicketFactory(queue=queue)
    html = client.post(reverse("tickets:follow", args=[follow_token_for(ticket)]), {"body": "  "}).content.decode()
    assert 'href="#id_body"' in _summary(html)
