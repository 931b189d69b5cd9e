"""Redis down (Celery's broker and Django's cache in production) never makes a customer's request fail.

The cache points at a loopback port where nothing listens: the real redis client meets a refused connection,
as it does when the server is stopped.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk.cache import ForgivingRedisCache
from tickets.models import Ticket

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "helpdesk.cache.ForgivingRedisCache", "LOCATION": NOWHERE,
                                   "OPTIONS": OPTIONS}}
    settings.RATELIMIT_FAIL_OPEN = True  # as production has it


@pytest.fixture
def unreachable():
    return ForgivingRedisCache(NOWHERE, {"OPTIONS": OPTIONS})


def test_an_unreachable_cache_reads_as_a_miss(unreachable):
    assert unreachable.get("key", "default") == "default"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("key") is False
    assert unreachable.get_or_set("key", "computed") == "computed"


def test_writes_to_an_unreachable_cache_are_dropped_without_raising(unreachable):
    assert unreachable.add("key", 1) is False
    assert unreachable.set("key", 1) is None
    assert unreachable.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert unreachable.delete("key") is False
    assert unreachable.touch("key") is False


def test_a_counter_in_an_unreachable_cache_is_a_missing_key(unreachable):
    with pytest.raises(ValueError):
        unreachable.incr("counter")
    with pytest.raises(ValueError):
        unreachable.decr("counter")


def test_the_outage_is_logged(unreachable, caplog):
    ForgivingRedisCache._last_warning = 0.0
    unreachable.get("key")
    assert "cache unreachable (get)" in caplog.text


@pytest.mark.django_db
def test_the_support_form_takes_the_request_while_redis_is_down(redis_down, client, queue):
    response = client.post(reverse("tickets:support"), {
        "name": "Mari Tamm", "email": "mari@example.ee", "subject": "Parcel missing",
        "description": "My order 4521 never arrived.", "website": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Ticket.objects.get().subject == "Parcel missing"
    assert cache.get("anything") is None  # the desk really ran on the unreachable cache


@pytest.mark.django_db
def test_the_login_page_logs_in_while_redis_is_down(redis_down, client, agent):
    response = client.post(reverse("login"), {"username": agent.username, "password": "demo"})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.django_db
def test_the_api_answers_while_redis_is_down(redis_down, agent):
    api = APIClient()
    api.force_authenticate(agent)
    assert api.get("/api/v1/tickets/").status_code == 200
