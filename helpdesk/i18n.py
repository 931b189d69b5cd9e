"""Which languages the desk offers, for the code that picks one.

The order in which the desk picks a language (accounts.middleware.UserPreferencesMiddleware, on top of
Django's LocaleMiddleware) is:

1. a logged-in user's `Profile.language`;
2. the language cookie, which the switcher sets (`accounts.views.set_language`, for anonymous visitors:
   customers on the public form, the follow link and the survey pages);
3. the browser's Accept-Language;
4. the desk's default, `settings.LANGUAGE_CODE`.

Because switching saves the choice to the profile, the switcher works the same for everyone, and a
user's language follows them to every browser they log in from.
"""

from django.utils.translation import check_for_language, get_supported_language_variant


def supported_language(code: str | None) -> str | None:
    """The desk's language code for `code` ("fi-FI" -> "fi"), or None when the desk does not offer it."""
    if not code or not check_for_language(code):
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None
