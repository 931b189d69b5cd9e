from django.conf import settings


def navigation(request) -> dict:
    """What the base template needs from the project itself (the role's part: accounts.context_processors)."""
    return {"LANGUAGES": settings.LANGUAGES}
