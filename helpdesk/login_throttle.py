"""Failed-login throttling (django-axes): per account and per client address, on every login that
goes through `django.contrib.auth.authenticate(request=...)`: the desk's login page and the admin's.

Settings (helpdesk/settings.py, "Abuse limits"): LOGIN_FAILURE_LIMIT failures of one account (from
any address) or from one address (against any account) lock further logins of that account or from
that address for LOGIN_LOCKOUT_MINUTES, counted again from each refused try. Locks are rows of
axes' AccessAttempt, listed (and lifted, by deleting them) in the admin.
"""

from __future__ import annotations

import datetime as dt
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' check, before any password is looked at. An authentication without a request (the test
    client's `login()`, a management command) has no client to count and passes on to ModelBackend;
    every HTTP login of the desk passes its request (a test logs in 50 times on each to prove it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with a page in the desk's layout (or the API's JSON error) saying
    when the next try is possible. Each refused try starts the wait again, so it is now + the wait."""
    wait: dt.timedelta = get_cool_off(request) or dt.timedelta(0)
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    until = timezone.now() + wait
    retry_after = str(int(wait.total_seconds()))
    if _wants_json(request):
        detail = ngettext(
            "Too many failed logins. Try again in %(minutes)s minute.",
            "Too many failed logins. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
        response = JsonResponse({"code": "login_locked", "detail": detail}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes, "until": until}, status=429)
    response["Retry-After"] = retry_after
    return response
