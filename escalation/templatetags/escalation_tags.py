"""Template helpers and the include hook the escalation app fills (the ticket panel)."""

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from accounts.roles import STAFF_ROLES, role_of
from escalation import selectors
from escalation.forms import EscalateForm, RemedyForm
from escalation.models import Trigger

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
def trigger_label(value: str) -> str:
    """A trigger's name in the reader's language (an unknown value as it is)."""
    return str(dict(Trigger.choices).get(value, value))


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


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's name for display, or `empty` when there is nobody."""
    if user is None or user == "":
        return empty
    return user.get_full_name() or user.get_username()


# The ticket list's SLA badges. The tickets app's results partial includes
# "escalation/_list_sla.html" once (it loads the badges of every row of the page: ONE query) and
# "escalation/_list_sla_badge.html" in each row (it reads that row's badge: no query). The loaded
# badges wait for the row hooks on the render's Context object, which the page's includes and
# loops share (an include cannot set a template variable for the template that includes it).
_LIST_BADGES = "_escalation_list_sla_badges"
_BADGE_CLASSES = {"neutral": "text-bg-light border", "warning": "text-bg-warning", "danger": "text-bg-danger",
                  "paused": "text-bg-secondary"}


@register.simple_tag(takes_context=True)
def list_sla_load(context, rows) -> str:
    """Load the SLA badges of the page's rows (objects with `pk`) for the row hooks; renders nothing.
    Staff only: anybody else gets no badge (and no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    badges = {}
    if rows and user is not None and role_of(user) in STAFF_ROLES:
        badges = selectors.list_due_badges([getattr(row, "pk", None) for row in rows])
    setattr(context, _LIST_BADGES, badges)
    return ""


@register.simple_tag(takes_context=True)
def list_sla_badge(context, row) -> dict | None:
    """The badge of one row, as loaded by `list_sla_load` (None: no badge, or nothing was loaded)."""
    badge = getattr(context, _LIST_BADGES, {}).get(getattr(row, "pk", None))
    if badge is None:
        return None
    clock = badge.clock
    return {"clock": clock, "level": badge.level, "css": _BADGE_CLASSES[badge.level],
            "left": timeuntil(clock.due, depth=1) if clock.state == "running" else "",
            "late": timesince(clock.due, depth=1) if clock.state == "overdue" else ""}
