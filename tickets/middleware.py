import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show the desk in the logged-in user's time zone, and in their language unless they switched it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = self._profile(request)
        if profile is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and profile.language:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)

    @staticmethod
    def _profile(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from tickets.models import Profile

        try:
            return user.profile
        except Profile.DoesNotExist:
            return None
