"""One filter form for the dashboard, the drill-down, the CSV exports and the API: the same parameters
mean the same figures everywhere."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback import metrics
from feedback.metrics import ReportFilter
from feedback.reports.money import with_currency
from helpdesk.dates import DateParameterField
from tickets.models import Membership, Team, Ticket
from tickets.roles import Role, role_of
from tickets.selectors import queues_visible_to, team_ids_of

MAX_RANGE_DAYS = 3 * 366

GROUP_CHOICES = [
    ("agent", _("Agent")),
    ("team", _("Team")),
    ("queue", _("Queue")),
    ("kind", _("Ticket kind")),
    ("company", _("Customer company")),
    ("week", _("Week")),
    ("month", _("Month")),
]


class ReportFilterForm(forms.Form):
    date_from = DateParameterField(label=_("From"), required=False)
    date_to = DateParameterField(label=_("To"), required=False)
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES, required=False)
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=get_user_model().objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Team.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Ticket kind"), choices=[("", _("All kinds")), *Ticket.Kind.choices], required=False
    )
    company = forms.CharField(label=_("Customer company"), max_length=200, required=False)

    def __init__(self, data=None, *, user, default_group: str = "agent", **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.role = role_of(user)
        self.default_group = default_group
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        if self.role == Role.ADMIN:
            self.fields["agent"].queryset = users.filter(memberships__isnull=False).distinct()
            self.fields["team"].queryset = Team.objects.all()
        else:
            members = Membership.objects.filter(team_id__in=team_ids_of(user)).values("user_id")
            self.fields["agent"].queryset = users.filter(id__in=members)
            self.fields["team"].queryset = Team.objects.filter(id__in=team_ids_of(user))
        self.fields["queue"].queryset = queues_visible_to(user)
        self.fields["agent"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if self.role == Role.AGENT:
            # Agents see team-level figures: no individual colleague, no grouping by agent.
            del self.fields["agent"]
            if self.default_group not in metrics.AGENT_ROLE_GROUPINGS:
                self.default_group = "team"
            self.fields["group_by"].choices = [c for c in GROUP_CHOICES if c[0] in metrics.AGENT_ROLE_GROUPINGS]
        today = timezone.localdate()
        default = ReportFilter.default(today)
        self.fields["date_from"].widget.attrs["placeholder"] = default.date_from.isoformat()
        self.fields["date_to"].widget.attrs["placeholder"] = default.date_to.isoformat()

    def clean(self):
        data = super().clean()
        default = ReportFilter.default()
        date_from = data.get("date_from") or default.date_from
        date_to = data.get("date_to") or default.date_to
        if date_from > date_to:
            raise forms.ValidationError(_("The start date must not be after the end date."), code="range")
        if (date_to - date_from).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a range of at most three years."), code="range")
        data["date_from"], data["date_to"] = date_from, date_to
        data["group_by"] = data.get("group_by") or self.default_group
        return data

    def to_filter(self) -> ReportFilter:
        data = self.cleaned_data
        agent = data.get("agent")
        return ReportFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            agent_id=agent.id if agent else None,
            team_id=data["team"].id if data.get("team") else None,
            queue_id=data["queue"].id if data.get("queue") else None,
            kind=data.get("kind") or "",
            company=(data.get("company") or "").strip(),
        )


class RatingListForm(ReportFilterForm):
    """The drill-down: the same filters, plus a star range."""

    stars_min = forms.IntegerField(label=_("Stars from"), min_value=1, max_value=5, required=False)
    stars_max = forms.IntegerField(label=_("Stars to"), min_value=1, max_value=5, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["group_by"]

    def clean(self):
        data = super().clean()
        low, high = data.get("stars_min"), data.get("stars_max")
        if low and high and low > high:
            self.add_error("stars_max", _("Must be at least the lower bound."))
        return data




class WhatIfForm(forms.Form):
    """D4's what-if: the desk's own numbers replaced by the user's."""

    customers = forms.IntegerField(label=_("Customers"), min_value=0, max_value=10**9)
    monthly_spend = forms.DecimalField(
        label=_("Monthly spend per customer"), min_value=0, max_digits=14, decimal_places=2
    )
    csat = forms.DecimalField(label=_("CSAT (%)"), min_value=0, max_value=100, max_digits=7, decimal_places=4)
    churn = forms.DecimalField(
        label=_("Churn probability of an unhappy customer"),
        min_value=0,
        max_value=1,
        max_digits=6,
        decimal_places=4,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spend = self.fields["monthly_spend"]
        spend.label = with_currency(spend.label)  # per form: in the reader's language, with today's setting


def week_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Last full week (Monday to Sunday) before `today`."""
    today = today or timezone.localdate()
    monday = metrics.monday_of(today) - dt.timedelta(weeks=1)
    return monday, monday + dt.timedelta(days=6)
