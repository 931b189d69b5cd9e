"""Report pages for supervisors and admins: the dashboard, the ratings behind a figure, CSV exports,
the team pulse and the escalation measures. Thin: parse, call `reports.figures`, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import supervisor_required
from helpdesk.dates import monday_of
from reports import csv as report_csv
from reports import figures
from reports.dashboard import chart_data, dashboard_data, escalation_panel, what_if
from reports.figures import PRIVACY_MIN_PULSES, ReportFilter, escalations
from reports.forms import EscalationMeasuresForm, RatingListForm, ReportFilterForm, WhatIfForm
from reports.money import with_currency

RATINGS_PER_PAGE = 50
TEAM_PULSE_WEEKS = 12


def _chart_labels() -> dict:
    return {
        "csat": _("CSAT %"),
        "delight": _("Delight %"),
        "asat": _("ASAT %"),
        "stars": [_("1 star"), _("2 stars"), _("3 stars"), _("4 stars"), _("5 stars")],
        "responses": _("Responses"),
        "point": _("Agent-week"),
        "trend": _("Trend line"),
        "x": _("CSAT of the agent-week (%)"),
        "y": _("ASAT of the agent-week (%)"),
        "at_risk": with_currency(_("Revenue at risk per month")),
    }


def _export_urls(request) -> dict:
    """CSV links carrying the page's filters (not the what-if numbers, nor the page number)."""
    params = request.GET.copy()
    for name in (*WhatIfForm.base_fields, "page"):
        params.pop(name, None)
    urls = {
        name: reverse("reports:export", args=[name]) + "?" + params.urlencode() for name in report_csv.TABLES
    }
    params["group_by"] = "week"
    urls["csat_week"] = reverse("reports:export", args=["csat"]) + "?" + params.urlencode()
    return urls


@supervisor_required
def dashboard(request):
    form = ReportFilterForm(request.GET, user=request.user)
    context = {"form": form, "export": _export_urls(request)}
    whatif_keys = {"customers", "monthly_spend", "csat"}
    whatif_form = WhatIfForm(request.GET if whatif_keys & set(request.GET) else None)
    context["whatif_form"] = whatif_form
    context["keep_params"] = [
        (name, value) for name, values in request.GET.lists() if name not in WhatIfForm.base_fields for value in values
    ]
    if whatif_form.is_bound and whatif_form.is_valid():
        context["whatif"] = what_if(**whatif_form.cleaned_data)
    if form.is_valid():
        f = form.to_filter()
        data = dashboard_data(request.user, f, form.cleaned_data["group_by"])
        context.update(data)
        context["filter"] = f
        context["chart"] = chart_data(data, _chart_labels())
        context["date_from"], context["date_to"] = f.date_from, f.date_to
        context["group_label"] = dict(form.fields["group_by"].choices).get(data["group"], data["group"])
        context["asat_group_label"] = dict(form.fields["group_by"].choices).get(data["asat_group"])
        context["escalation"] = escalation_panel(request.user, f)
    return render(request, "reports/dashboard.html", context)


def _ticket_url(reference: str | None) -> str | None:
    if not reference:
        return None
    try:
        return reverse("tickets:detail", args=[reference])
    except NoReverseMatch:
        return None


@supervisor_required
def ratings(request):
    """The ratings behind a figure (for example agent Y, 1-2 stars, this month), each linking to its ticket."""
    form = RatingListForm(request.GET, user=request.user)
    context = {"form": form, "export": _export_urls(request)}
    if form.is_valid():
        f = form.to_filter()
        qs = figures.ratings_list(
            request.user, f, stars_min=form.cleaned_data.get("stars_min"), stars_max=form.cleaned_data.get("stars_max")
        )
        page = Paginator(qs, RATINGS_PER_PAGE).get_page(request.GET.get("page"))
        for rating in page.object_list:
            rating.ticket_url = _ticket_url(rating.ticket.reference)
        params = request.GET.copy()
        params.pop("page", None)
        context.update(page=page, query=params.urlencode(), filter=f)
        context["dashboard_url"] = reverse("reports:dashboard") + "?" + urlencode(f.as_params())
    return render(request, "reports/ratings.html", context)


@supervisor_required
def export(request, table: str):
    if table not in report_csv.TABLES:
        raise Http404
    form_class = RatingListForm if table == "ratings" else ReportFilterForm
    form = form_class(request.GET, user=request.user)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    options = {}
    if table == "ratings":
        options = {"stars_min": form.cleaned_data.get("stars_min"), "stars_max": form.cleaned_data.get("stars_max")}
    if table == "correlation" and request.GET.get("unit") == "team":
        options["unit"] = "team"
    group = form.cleaned_data.get("group_by") or "agent"
    header, body = report_csv.table(request.user, form.to_filter(), table, group, **options)
    response = HttpResponse(report_csv.render(header, body), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{table}-{stamp}.csv"'
    return response


@supervisor_required
@require_GET
def team_pulse(request):
    """The team's weekly ASAT: the reports' figures (published agent-weeks only, docs/privacy.md)."""
    today = timezone.localdate()
    last_weeks = ReportFilter(date_from=monday_of(today) - dt.timedelta(weeks=TEAM_PULSE_WEEKS), date_to=today)
    rows = [{**row, "monday": dt.date.fromisoformat(row["key"])} for row in figures.asat_by_group(
        request.user, last_weeks, "week")]
    context = {"rows": rows[::-1], "privacy_min": PRIVACY_MIN_PULSES, "weeks": TEAM_PULSE_WEEKS}
    return render(request, "reports/team_pulse.html", context)


@supervisor_required
def escalation_measures(request):
    form = EscalationMeasuresForm(request.GET or None)
    date_from = date_to = None
    if form.is_valid():
        date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    data = escalations.summary(date_from=date_from, date_to=date_to)
    return render(request, "reports/escalation_measures.html", {"form": form, "m": data})
