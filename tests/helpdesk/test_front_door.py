"""The way in for someone who is not logged in: the front page, the fresh-link page, the login page's
links, and password reset (Django's views, the desk's pages and emails, rate-limited)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_sent_by_the_worker(settings):
    """Tasks run on the spot, so the email the worker would send lands in the test outbox."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from helpdesk.celery import app

    app.conf.task_always_eager = True
    yield mail.outbox
    app.conf.task_always_eager = False


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_front_page_offers_visitors_the_support_form_a_fresh_link_and_the_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    for name in ("tickets:support", "tickets:fresh_link", "login", "password_reset"):
        assert f'href="{reverse(name)}"'.encode() in response.content, name


def test_login_page_links_to_the_support_form_and_password_reset(client):
    response = client.get(reverse("login"))

    for name in ("tickets:support", "tickets:fresh_link", "password_reset"):
        assert f'href="{reverse(name)}"'.encode() in response.content, name


def test_fresh_link_page_opened_directly_offers_the_form_without_calling_a_link_invalid(client):
    response = client.get(reverse("tickets:fresh_link"))

    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b"not valid" not in response.content


def test_password_reset_emails_a_link_on_the_site_that_sets_a_new_password(client, settings, mail_sent_by_the_worker):
    settings.SITE_URL = "https://desk.example.com"
    user = factories.user_with_role("agent", username="tiina", email="tiina@example.com")

    response = client.post(reverse("password_reset"), {"email": "TIINA@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mail_sent_by_the_worker
    link = _link_in(message)
    assert link.startswith("https://desk.example.com/accounts/reset/")
    form_page = client.get(link.removeprefix("https://desk.example.com"), follow=True)
    new_password = {"new_password1": "Sinine-Karu-2026", "new_password2": "Sinine-Karu-2026"}
    client.post(form_page.redirect_chain[-1][0], new_password)

    user.refresh_from_db()
    assert user.check_password("Sinine-Karu-2026")


def test_password_reset_answers_the_same_and_sends_nothing_for_an_unknown_address(client, mail_sent_by_the_worker):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail_sent_by_the_worker == []


def test_password_reset_email_is_in_the_language_of_the_page(client, mail_sent_by_the_worker):
    factories.user_with_role("supervisor", username="juhan", email="juhan@example.com")

    client.post(reverse("password_reset"), {"email": "juhan@example.com"}, HTTP_ACCEPT_LANGUAGE="et")

    [message] = mail_sent_by_the_worker
    assert "salasõna" in message.subject.lower()


def test_password_reset_requests_are_rate_limited(client, settings, mail_sent_by_the_worker):
    settings.PUBLIC_FORM_RATE = "1/h"
    client.post(reverse("password_reset"), {"email": "a@example.com"})

    response = client.post(reverse("password_reset"), {"email": "b@example.com"})

    assert response.status_code == 429
    assert b'value="b@example.com"' in response.content


def test_favicon_is_served_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
