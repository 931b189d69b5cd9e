"""API throttles that count atomically, keyed on the one client address (`helpdesk.client_ip`).

DRF's own throttles read a list of timestamps from the cache, append, and write it back: parallel
requests read the same list and each writes its own, so eight threads got 1,300 requests through a
limit of 1,200 a minute. Here each request is one atomic `incr` of a counter per fixed window
(`add` creates it with its expiry; Redis INCR and LocMem's locked incr are both atomic), so the
count is exact however many workers and threads share the cache.
"""

from __future__ import annotations

import time

from rest_framework import throttling

from helpdesk.client_ip import client_ip


class FixedWindowMixin:
    """`allow_request` and `wait` of a SimpleRateThrottle, as one atomic counter per window."""

    timer = time.time

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{self.key}:{window}"
        ttl = self.duration + 1
        if self.cache.add(counter, 1, ttl):
            count = 1
        else:
            try:
                count = self.cache.incr(counter)
            except ValueError:  # expired between add and incr: this request opens the window again
                self.cache.add(counter, 1, ttl)
                count = 1
        self.now = now
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(0.0, self.window_ends - self.now)


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """Anonymous API requests, per client address (API_ANON_RATE)."""


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """Authenticated API requests, per user (API_USER_RATE); anonymous ones per client address."""
