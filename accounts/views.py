"""Account pages that are about the person, not a ticket: the role's start page and the language switcher.
(Password reset: `accounts.passwords`; login and logout are Django's own views, see `accounts.urls`.)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.i18n import set_language as django_set_language

from accounts.roles import Role, role_of
from accounts.services import profile_set_language
from helpdesk.i18n import supported_language

# Each role's landing page, by URL name; the first that exists wins (an app that is not installed has none).
LANDING_PAGES = {
    Role.CUSTOMER: ("tickets:my_tickets",),
    Role.AGENT: ("tickets:list",),
    Role.SUPERVISOR: ("escalation:inbox", "tickets:list"),
    Role.ADMIN: ("reports:dashboard", "tickets:list"),
}


def home(request):
    """Visitors get the front door (ask for help, get a fresh link, log in); people who are logged in go
    to their role's start page."""
    if not request.user.is_authenticated:
        return render(request, "front_door.html")
    role = role_of(request.user)
    for name in LANDING_PAGES.get(role, ()):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return render(request, "no_role.html", status=403)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, safe `next` redirect), plus the logged-in user's profile, so that the
    choice follows the user to every browser (the order of preference: docs/i18n.md, accounts.middleware).

    Like Django's, a GET changes nothing and only redirects.
    """
    response = django_set_language(request)
    language = supported_language(request.POST.get("language")) if request.method == "POST" else None
    if language and request.user.is_authenticated:
        profile_set_language(user=request.user, language=language)
    return response
