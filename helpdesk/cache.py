"""Django's Redis cache, forgiving an unreachable Redis: the cache is a speed-up and a counter, never a reason
for a customer's request to fail.

In production one Redis is Celery's broker and Django's cache. When it is down, a broker outage only delays
work (outbox rows are swept again), but every rate-limited page (the support form, the logins, the API) read
its counter from the cache and answered 500, losing what the customer typed. Here an unreachable Redis reads as
a cache miss and a write that did not happen (logged, once a minute at most): rate limits fail open while it
is down (`RATELIMIT_FAIL_OPEN`; the logins stay locked by django-axes, whose counts live in the database).
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60


def _as_miss(missed):
    """Run the method; when Redis cannot be reached, log and give what a miss gives (`missed(args)`)."""

    def decorate(method):
        @functools.wraps(method)
        def forgiving(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._warn(method.__name__, exc)
                return missed(*args, **kwargs)

        return forgiving

    return decorate


def _no_such_key(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unreachable)")


class ForgivingRedisCache(RedisCache):
    _last_warning = 0.0

    def _warn(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ForgivingRedisCache._last_warning >= WARN_EVERY_SECONDS:
            ForgivingRedisCache._last_warning = now
            logger.warning("cache unreachable (%s): %s; serving without it", operation, exc)

    get = _as_miss(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _as_miss(lambda keys, version=None: {})(RedisCache.get_many)
    has_key = _as_miss(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _as_miss(lambda *args, **kwargs: False)(RedisCache.add)
    set = _as_miss(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _as_miss(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _as_miss(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _as_miss(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _as_miss(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _as_miss(lambda *args, **kwargs: False)(RedisCache.clear)
    incr = _as_miss(_no_such_key)(RedisCache.incr)  # as for a missing key: callers start a new count
