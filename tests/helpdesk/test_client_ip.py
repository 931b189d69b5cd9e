"""One client address for every limit (helpdesk.client_ip): behind N trusted proxies the Nth
X-Forwarded-For hop from the right, and with none the header is never believed (issue 14.4)."""

import pytest
from django.test import RequestFactory

from helpdesk.client_ip import client_ip
from tickets.models import Ticket

URL = "/support/"
PROXY = "10.1.1.1"


def _form(email: str) -> dict:
    return {"name": "Mari Tamm", "email": email, "subject": "Parcel", "description": "Where is it?", "website": ""}


def _ip(settings, proxies: int, forwarded: str | None, remote: str = PROXY) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert _ip(settings, 0, "203.0.113.5", remote="198.51.100.1") == "198.51.100.1"


def test_behind_one_proxy_the_rightmost_hop_is_the_client(settings):
    assert _ip(settings, 1, "6.6.6.6, 203.0.113.5") == "203.0.113.5"


def test_behind_two_proxies_the_second_hop_from_the_right_is_the_client(settings):
    assert _ip(settings, 2, "6.6.6.6, 203.0.113.5, 10.2.2.2") == "203.0.113.5"


def test_a_request_that_went_round_the_proxies_counts_as_its_own_address(settings):
    assert _ip(settings, 2, "203.0.113.5") == PROXY
    assert _ip(settings, 1, None) == PROXY


def test_a_hop_that_is_not_an_address_counts_as_the_proxy(settings):
    assert _ip(settings, 1, "6.6.6.6, <script>") == PROXY


@pytest.mark.django_db
def test_behind_one_proxy_two_clients_are_limited_separately(client, queue, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        assert client.post(URL, _form(f"a{n}@example.com"), REMOTE_ADDR=PROXY,
                           HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
    assert client.post(URL, _form("a3@example.com"), REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    other = client.post(URL, _form("b@example.com"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_a_forged_forwarded_for_without_trusted_proxies_changes_nothing(client, queue, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        client.post(URL, _form(f"a{n}@example.com"), REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}")
    response = client.post(URL, _form("a3@example.com"), REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="6.6.6.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_forged_hop_left_of_the_proxy_s_changes_nothing(client, queue, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(3):
        response = client.post(URL, _form(f"a{n}@example.com"), REMOTE_ADDR=PROXY,
                               HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.5")
    assert response.status_code == 429


@pytest.mark.django_db
def test_login_failures_behind_a_proxy_are_counted_per_client(client, agent, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 10
    for n in range(10):
        client.post("/accounts/login/", {"username": f"nobody-{n}", "password": "x"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    response = client.post("/accounts/login/", {"username": agent.username, "password": "demo"},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302
