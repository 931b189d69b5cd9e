"""The user's language and time zone, for every request.

Language, in this order (documented in docs/i18n.md and accounts/views.py):
1. a logged-in user's `Profile.language` (the switcher saves the choice there, see accounts.views.set_language);
2. the language cookie (anonymous visitors who used the switcher);
3. the browser's Accept-Language;
4. `settings.LANGUAGE_CODE`.
Django's LocaleMiddleware (earlier in MIDDLEWARE) has already applied 2-4; this middleware applies 1.
LocaleMiddleware's response half then sets `Content-Language` from what is active here.

Time zone: a logged-in user's `Profile.time_zone`, else UTC (anonymous pages show dates in UTC).
"""

import zoneinfo

from django.utils import timezone, translation

from accounts.models import Profile


class UserPreferencesMiddleware:
    """Show the desk in the logged-in user's language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = self._profile(request)
        if profile is not None:
            self._activate_time_zone(profile.time_zone)
            language = self._supported(profile.language)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _activate_time_zone(name: str) -> None:
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            timezone.deactivate()

    @staticmethod
    def _supported(code: str | None) -> str | None:
        if not code:
            return None
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            return None

    @staticmethod
    def _profile(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return user.profile
        except Profile.DoesNotExist:
            return None
