"""Password reset: Django's views and tokens with the desk's pages, the email sent by the worker in the
language of the page, a link on SITE_URL, the same answer for unknown addresses, and a rate limit
(accounts/passwords.py)."""

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


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


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
