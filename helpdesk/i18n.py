"""The language switcher: Django's `set_language`, which also remembers a logged-in user's choice.

The order in which the desk picks a language (tickets.middleware.UserPreferencesMiddleware, on top of
Django's LocaleMiddleware) is:

1. a logged-in user's `Profile.language`;
2. the language cookie, which this view sets (anonymous visitors: customers on the public form, the
   follow link and the survey pages);
3. the browser's Accept-Language;
4. the desk's default, `settings.LANGUAGE_CODE`.

Because switching saves the choice to the profile, the switcher works the same for everyone, and a
user's language follows them to every browser they log in from.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import check_for_language, get_supported_language_variant
from django.views.i18n import set_language as django_set_language

from tickets.models import Profile


def supported_language(code: str | None) -> str | None:
    """The desk's language code for `code` ("fi-FI" -> "fi"), or None when the desk does not offer it."""
    if not code or not check_for_language(code):
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


@transaction.atomic
def profile_set_language(*, user: AbstractBaseUser, language: str) -> Profile:
    """Save a user's language; creates the profile of a user made outside `user_create_with_role`."""
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, safe `next` redirect), plus the logged-in user's profile.

    Like Django's, a GET changes nothing and only redirects.
    """
    response = django_set_language(request)
    language = supported_language(request.POST.get("language")) if request.method == "POST" else None
    if language and request.user.is_authenticated:
        profile_set_language(user=request.user, language=language)
    return response
