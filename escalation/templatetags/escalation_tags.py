"""Template helpers and the include hooks the escalation app fills (ticket panel, dashboard panel)."""

from django import template
from django.utils.translation import gettext as _

from escalation import measures, selectors
from escalation.forms import EscalateForm, RemedyForm
from tickets.roles import STAFF_ROLES, role_of

register = template.Library()

_STATE_BADGES = {"open": "text-bg-danger", "acknowledged": "text-bg-warning", "returned": "text-bg-info",
                 "resolved": "text-bg-success"}


@register.filter
def escalation_state_badge(state: str) -> str:
    return _STATE_BADGES.get(state, "text-bg-secondary")


@register.filter
def duration(seconds) -> str:
    """Seconds as a short human duration: 45 s, 12 min, 3.5 h, 2.1 d."""
    if seconds is None or seconds == "":
        return "—"
    seconds = float(seconds)
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)d min") % {"n": seconds // 60}
    if seconds < 86400:
        return _("%(n).1f h") % {"n": seconds / 3600}
    return _("%(n).1f d") % {"n": seconds / 86400}


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.0f}%"


@register.inclusion_tag("escalation/_ticket_panel_body.html", takes_context=True)
def escalation_ticket_panel(context):
    request = context.get("request")
    ticket = context.get("ticket")
    user = getattr(request, "user", None)
    if ticket is None or user is None or role_of(user) not in STAFF_ROLES:
        return {"show": False}
    return {
        "show": True,
        "ticket": ticket,
        "request": request,
        "escalate_form": EscalateForm(auto_id="esc_%s"),
        "remedy_form": RemedyForm(auto_id="rem_%s"),
        "sla": selectors.ticket_sla_view(ticket),
        **selectors.ticket_escalation_state(ticket),
    }


@register.inclusion_tag("escalation/_dashboard_panel_body.html", takes_context=True)
def escalation_dashboard_panel(context):
    return {"h": measures.headline(date_from=context.get("date_from"), date_to=context.get("date_to")),
            "request": context.get("request")}


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's name for display, or `empty` when there is nobody."""
    if user is None or user == "":
        return empty
    return user.get_full_name() or user.get_username()
