"""The way in for someone who is not logged in: the front page, the fresh-link page and the login page's
links (password reset itself: tests/accounts/test_password_reset.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


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


def test_favicon_is_served_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
