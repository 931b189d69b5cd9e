"""The API throttles count every request, however many run at once (issue 14.9: 1,300 requests from
8 threads got through a limit of 1,200 a minute), and key anonymous callers on the one client address."""

import threading

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils.module_loading import import_string
from rest_framework.test import APIClient

from tests import factories

THREADS, PER_THREAD, LIMIT = 8, 60, 100
PUBLIC = "/api/v1/tickets/DD-1/survey/rating/"  # anonymous callers allowed: the throttle is what answers
FROZEN = 1_700_000_000.0  # one instant, so that every request falls into the same window


def _configured(name: str):
    """The throttle class the API really uses (settings.REST_FRAMEWORK), by its DRF name."""
    paths = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    return import_string(next(path for path in paths if path.endswith("." + name)))


def _hammer(throttle_class, request) -> int:
    """THREADS threads x PER_THREAD requests of one caller; how many the throttle let through."""
    allowed = []
    start = threading.Barrier(THREADS)

    def run():
        passed = 0
        start.wait()
        for _ in range(PER_THREAD):
            throttle = throttle_class()
            throttle.timer = lambda: FROZEN
            passed += throttle.allow_request(request, None)
        allowed.append(passed)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(allowed)


def _user_request(user):
    request = RequestFactory().get("/api/v1/tickets/")
    request.user = user
    return request


def _parallel_requests_stop_at_the_limit(settings, user):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": f"{LIMIT}/minute"}}
    throttle_class = _configured("UserRateThrottle")
    throttle_class.THROTTLE_RATES = {"anon": "60/minute", "user": f"{LIMIT}/minute"}
    try:
        assert _hammer(throttle_class, _user_request(user)) == LIMIT
    finally:
        del throttle_class.THROTTLE_RATES


@pytest.mark.django_db
def test_parallel_requests_of_one_user_stop_exactly_at_the_limit(settings, agent):
    _parallel_requests_stop_at_the_limit(settings, agent)


@pytest.mark.redis
@pytest.mark.django_db
def test_parallel_requests_stop_exactly_at_the_limit_on_redis(settings, agent):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    _parallel_requests_stop_at_the_limit(settings, agent)


def test_the_next_window_lets_requests_through_again():
    throttle_class = _configured("AnonRateThrottle")
    throttle_class.THROTTLE_RATES = {"anon": "2/minute", "user": "2/minute"}
    request = _user_request(AnonymousUser())
    request.META["REMOTE_ADDR"] = "203.0.113.77"
    try:
        results = []
        for now in (FROZEN, FROZEN + 1, FROZEN + 2, FROZEN + 60):
            throttle = throttle_class()
            throttle.timer = lambda now=now: now
            results.append(throttle.allow_request(request, None))
        assert results == [True, True, False, True]
        assert 0 < throttle.wait() <= 60
    finally:
        del throttle_class.THROTTLE_RATES


@pytest.mark.django_db
def test_behind_a_proxy_anonymous_callers_are_throttled_per_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    api = APIClient()
    throttle_class = _configured("AnonRateThrottle")
    throttle_class.THROTTLE_RATES = {"anon": "2/minute", "user": "2/minute"}
    try:
        statuses = [api.post(PUBLIC, {}, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code
                    for _ in range(3)]
        other = api.post(PUBLIC, {}, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    finally:
        del throttle_class.THROTTLE_RATES
    assert statuses == [400, 400, 429]
    assert other.status_code == 400


@pytest.mark.django_db
def test_a_throttled_request_gets_the_api_error_and_when_to_retry(settings):
    user = factories.user_with_role("agent")
    api = APIClient()
    api.force_authenticate(user)
    throttle_class = _configured("UserRateThrottle")
    throttle_class.THROTTLE_RATES = {"anon": "1/minute", "user": "1/minute"}
    try:
        api.get("/api/v1/tickets/")
        response = api.get("/api/v1/tickets/")
    finally:
        del throttle_class.THROTTLE_RATES
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
