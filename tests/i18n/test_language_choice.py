"""Which language and time zone a request gets: profile > language cookie > Accept-Language > default,
and the switcher (accounts.views.set_language) that saves a logged-in user's choice to their profile."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.middleware import UserPreferencesMiddleware
from accounts.models import Profile
from tests import factories


def _language_of(response) -> str:
    return response.headers["Content-Language"]


@pytest.fixture
def login_page():
    return reverse("login")


def test_anonymous_visitor_gets_the_desk_default_without_any_preference(client, login_page):
    assert _language_of(client.get(login_page)) == settings.LANGUAGE_CODE


def test_anonymous_visitor_gets_the_browsers_accept_language(client, login_page):
    response = client.get(login_page, headers={"accept-language": "fi-FI,fi;q=0.9,en;q=0.5"})
    assert _language_of(response) == "fi"
    assert 'lang="fi"' in response.content.decode()


def test_unsupported_accept_language_falls_back_to_the_default(client, login_page):
    assert _language_of(client.get(login_page, headers={"accept-language": "ja,de;q=0.8"})) == "en"


def test_anonymous_visitors_switcher_choice_beats_accept_language(client, login_page):
    client.post(reverse("set_language"), {"language": "es", "next": login_page})
    assert _language_of(client.get(login_page, headers={"accept-language": "nl"})) == "es"


def test_profile_language_beats_accept_language(client, db, login_page):
    user = factories.user_with_role("agent", language="et")
    client.force_login(user)
    assert _language_of(client.get(login_page, headers={"accept-language": "nl"})) == "et"


def test_profile_language_beats_a_language_cookie_from_another_session(client, db, login_page):
    user = factories.user_with_role("agent", language="fi")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    client.force_login(user)
    assert _language_of(client.get(login_page)) == "fi"


def test_switching_language_saves_it_to_the_logged_in_users_profile(client, db):
    user = factories.user_with_role("supervisor", language="en")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert Profile.objects.get(user=user).language == "nl"


def test_saved_language_follows_the_user_to_a_new_browser(client, db, login_page):
    user = factories.user_with_role("agent", language="en")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "es", "next": login_page})
    client.cookies.clear()
    client.force_login(user)
    assert _language_of(client.get(login_page, headers={"accept-language": "en"})) == "es"


def test_switcher_refuses_a_language_the_desk_does_not_offer(client, db):
    user = factories.user_with_role("agent", language="et")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert Profile.objects.get(user=user).language == "et"


def test_switcher_creates_a_missing_profile(client, django_user_model):
    user = django_user_model.objects.create_user(username="noprofile", password="demo")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    assert Profile.objects.get(user=user).language == "fi"


def test_switcher_get_changes_nothing(client, db):
    user = factories.user_with_role("agent", language="et")
    client.force_login(user)
    response = client.get(reverse("set_language"), {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).language == "et"


def test_switcher_never_redirects_off_site(client, db):
    response = client.post(reverse("set_language"), {"language": "nl", "next": "https://evil.example/"})
    assert response.status_code == 204 or not response["Location"].startswith("https://evil.example")


def test_switcher_form_in_base_template_posts_to_set_language(client, login_page):
    assert f'action="{reverse("set_language")}"' in client.get(login_page).content.decode()


def _seen_by_view(user):
    """Run the middleware over a request for `user`; return what the view saw."""
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        seen["time_zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    translation.activate("en")
    UserPreferencesMiddleware(view)(request)
    return seen


def test_profile_time_zone_is_active_while_the_view_runs(db):
    user = factories.user_with_role("agent", time_zone="America/Lima", language="es")
    assert _seen_by_view(user) == {"language": "es", "time_zone": "America/Lima"}


def test_unknown_profile_time_zone_falls_back_to_utc(db):
    user = factories.user_with_role("agent", time_zone="Mars/Olympus_Mons")
    assert _seen_by_view(user)["time_zone"] == "UTC"


def test_time_zone_does_not_leak_into_the_next_request(db):
    from django.contrib.auth.models import AnonymousUser

    _seen_by_view(factories.user_with_role("agent", time_zone="Asia/Tokyo"))
    assert _seen_by_view(AnonymousUser())["time_zone"] == "UTC"


def test_validation_errors_are_shown_in_the_users_language(client, db, login_page):
    response = client.post(login_page, {"username": "nobody", "password": "x"}, headers={"accept-language": "nl"})
    # Django's own Dutch catalogue for AuthenticationForm's invalid_login message.
    assert "Voer een juiste" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,234.5"), ("fi", "1\xa0234,5"), ("nl", "1.234,5"), ("es", "1\xa0234,5"), ("et", "1\xa0234,5")],
)
def test_numbers_are_formatted_per_locale(language, expected):
    from django.utils.formats import number_format

    with translation.override(language):
        assert number_format(1234.5, decimal_pos=1, force_grouping=True) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "March 5, 2026"), ("et", "5. märts 2026"), ("nl", "5 maart 2026"), ("es", "5 de marzo de 2026"),
     ("fi", "5. maaliskuuta 2026")],
)
def test_dates_are_formatted_per_locale(language, expected):
    import datetime

    from django.template import Context, Template

    with translation.override(language):
        assert Template("{{ day|date }}").render(Context({"day": datetime.date(2026, 3, 5)})) == expected
