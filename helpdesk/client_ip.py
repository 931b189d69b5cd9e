"""The one answer to "who is this client?", for every limit the desk keeps: login throttling (axes),
the public forms' rate limits (django-ratelimit) and the API throttles.

Behind N trusted reverse proxies (`TRUSTED_PROXY_COUNT`), each proxy appends the address it saw to
X-Forwarded-For, so the client is the Nth address from the right; everything left of it was written
by the client and proves nothing. With no trusted proxy (the default) the header is never read: a
client could otherwise name any address it likes and escape every limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the Nth X-Forwarded-For hop from the right behind N
    trusted proxies. A header with fewer hops than proxies (the request went round a proxy) or a
    hop that is not an address falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
