"""Pages of the feedback app: the public survey pages (token only, no login) and the agent pulse.

Thin: parse, call one service or selector, render. A GET never records anything (mail scanners
follow links); only the POST of the survey page does.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from accounts.permissions import staff_required
from feedback import selectors, services
from feedback.exceptions import InvalidSurveyLink, SurveyLinkExpired
from feedback.forms import (
    FOLLOW_UP_QUESTIONS,
    NpsForm,
    PulseForm,
    RatingForm,
    WeeklyPulseForm,
    moved_answer_message,
)
from feedback.models import STAR_LABELS, Survey
from helpdesk.errors import DomainError
from helpdesk.i18n import supported_language

PUBLIC_RATE = "30/m"


def _invalid_link(request, exc: DomainError) -> HttpResponse:
    expired = isinstance(exc, SurveyLinkExpired)
    return render(
        request, "feedback/survey_invalid.html", {"message": exc.detail, "expired": expired}, status=exc.status_code
    )


def _page_language(request, stored: str) -> str:
    """The language of a survey page, reached from an email and usually without logging in:

    1. the visitor's own choice: a logged-in user's profile language, or the language cookie of the
       switcher (UserPreferencesMiddleware and LocaleMiddleware have made it active already);
    2. the customer's stored language (the one the email was written in), unless it is the desk's
       default: the desk stores LANGUAGE_CODE when it knows nothing better, so the default says little;
    3. the browser's Accept-Language (active already, by LocaleMiddleware), then LANGUAGE_CODE.
    """
    active = translation.get_language()
    chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    if chosen or profile is not None:
        return active
    stored = supported_language(stored)
    return stored if stored and stored != settings.LANGUAGE_CODE else active


def _stars_param(request) -> int | None:
    stars = request.GET.get("stars")
    return int(stars) if stars in {"1", "2", "3", "4", "5"} else None


@ratelimit(key="ip", rate=PUBLIC_RATE, method=ratelimit.ALL, block=True)
@require_http_methods(["GET", "HEAD", "POST"])  # scanners check links with HEAD; only a POST records
def survey_page(request, reference: str, token: str):
    try:
        survey = selectors.survey_from_link(reference=reference, token=token)
    except (InvalidSurveyLink, SurveyLinkExpired) as exc:
        return _invalid_link(request, exc)
    with translation.override(_page_language(request, survey.language)):
        rating = selectors.rating_of(survey)
        if survey.state in (Survey.State.EXPIRED, Survey.State.SKIPPED):
            return _invalid_link(request, SurveyLinkExpired())
        if request.method == "POST":
            form = RatingForm(request.POST)
            if form.is_valid():
                try:
                    services.rating_submit(survey_id=survey.pk, **_rating_fields(form))
                except DomainError as exc:
                    form.add_error(None, exc.detail)
                else:
                    return redirect(reverse("feedback:survey", args=[reference, token]) + "?thanks=1")
        elif rating:  # the saved answer, whichever star link was opened (a GET records nothing)
            initial = {"stars": rating.stars, "follow_up": rating.follow_up, "comment": rating.comment}
            form = RatingForm(initial=initial, stars=rating.stars)
        else:
            form = RatingForm(initial={"stars": _stars_param(request)}, stars=_stars_param(request))
        context = _survey_context(request, survey, rating, form)
        response = render(request, "feedback/survey.html", context, status=400 if form.errors else 200)
        response["Content-Language"] = translation.get_language()
        return response


def _rating_fields(form: RatingForm) -> dict:
    return {name: form.cleaned_data[name] for name in ("stars", "follow_up", "comment")}


def _survey_context(request, survey: Survey, rating, form: RatingForm) -> dict:
    link_stars = _stars_param(request) if not form.is_bound else None
    proposed = link_stars if rating and link_stars and link_stars != rating.stars else None
    return {
        "survey": survey,
        "ticket": survey.ticket,
        "rating": rating,
        "form": form,
        "thanks": request.GET.get("thanks") == "1" and rating is not None,
        "proposed": proposed,
        "proposed_label": STAR_LABELS[proposed] if proposed else "",
        "questions": {
            **{side: str(question) for side, question in FOLLOW_UP_QUESTIONS.items()},
            "moved": {
                "good": moved_answer_message(written_for="good", now_for="bad"),
                "bad": moved_answer_message(written_for="bad", now_for="good"),
            },
        },
        "agent_name": (survey.agent.get_full_name() or survey.agent.get_username()) if survey.agent else "",
    }


@ratelimit(key="ip", rate=PUBLIC_RATE, method=ratelimit.ALL, block=True)
@require_http_methods(["GET", "HEAD", "POST"])
def relationship_survey_page(request, token: str):
    try:
        survey = selectors.relationship_survey_from_link(token=token)
    except (InvalidSurveyLink, SurveyLinkExpired) as exc:
        return _invalid_link(request, exc)
    with translation.override(_page_language(request, survey.language)):
        if request.method == "POST":
            form = NpsForm(request.POST)
            if form.is_valid():
                try:
                    services.nps_submit(survey_id=survey.pk, **form.cleaned_data)
                except DomainError as exc:
                    form.add_error(None, exc.detail)
                else:
                    return redirect(reverse("feedback:relationship_survey", args=[token]) + "?thanks=1")
        else:
            response = getattr(survey, "response", None) if survey.state == survey.State.ANSWERED else None
            initial = (
                {"score": response.score, "if_unavailable": response.if_unavailable, "one_thing": response.one_thing}
                if response
                else {}
            )
            form = NpsForm(initial=initial)
        response = render(
            request,
            "feedback/relationship_survey.html",
            {"survey": survey, "form": form, "thanks": request.GET.get("thanks") == "1"},
            status=400 if form.is_bound and form.errors else 200,
        )
        response["Content-Language"] = translation.get_language()
        return response


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@staff_required
@require_GET
def pulses_page(request):
    context = {
        "pending": selectors.pending_pulses_of(request.user)[:50],
        "history": selectors.pulses_of(request.user).filter(score__isnull=False)[:20],
        "weekly_form": WeeklyPulseForm(),
        "pulse_form": PulseForm(),
    }
    return render(request, "feedback/pulses.html", context)


@staff_required
@require_POST
def pulse_answer(request, pulse_id: int):
    if "skip" in request.POST:
        try:
            pulse = services.pulse_skip(agent=request.user, pulse_id=pulse_id)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return _back(request, reverse("feedback:pulses"))
        if request.htmx:
            return render(request, "feedback/_pulse_done.html", {"pulse": pulse})
        return _back(request, reverse("feedback:pulses"))
    form = PulseForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(
                request,
                "feedback/_pulse_form.html",
                {"form": form, "pulse_id": pulse_id, "next": request.POST.get("next", "")},
                status=400,
            )
        messages.error(request, _("Please choose from 1 to 5."))
        return _back(request, reverse("feedback:pulses"))
    try:
        pulse = services.pulse_answer(agent=request.user, pulse_id=pulse_id, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _back(request, reverse("feedback:pulses"))
    if request.htmx:
        return render(request, "feedback/_pulse_done.html", {"pulse": pulse})
    messages.success(request, _("Thank you. Only you see your answers."))
    return _back(request, reverse("feedback:pulses"))


@staff_required
@require_POST
def weekly_pulse(request):
    form = WeeklyPulseForm(request.POST)
    if form.is_valid():
        try:
            services.weekly_pulse_answer(agent=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("feedback:pulses")
        messages.success(request, _("Thank you. Only you see your answers."))
        return redirect("feedback:pulses")
    context = {
        "pending": selectors.pending_pulses_of(request.user)[:50],
        "history": selectors.pulses_of(request.user).filter(score__isnull=False)[:20],
        "weekly_form": form,
        "pulse_form": PulseForm(),
    }
    return render(request, "feedback/pulses.html", context, status=400)


@staff_required
@require_GET
def wow_board(request):
    return render(request, "feedback/wow_board.html", {"stories": selectors.wow_board_for(request.user)})
