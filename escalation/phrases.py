"""The sentences the escalation app composes (reasons, routing explanations, history, notifications, the
notes it writes on tickets), by code. Rows store `helpdesk.phrases` values; pages, the API and emails render
them in the reader's language. Imported by `EscalationConfig.ready()`."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from escalation.models import RemedyKind, Trigger
from helpdesk import phrases
from helpdesk.phrases import phrase, render


def _explained(params: dict) -> str:
    """A routing decision: its head, then why the others were not chosen, as one sentence."""
    head = render(params.get("head"))
    text = head[:1].upper() + head[1:]
    notes = [render(note) for note in params.get("notes") or []]
    if notes:
        text += "; " + "; ".join(notes)
    return text + "."


CATALOGUE = {
    # Why an escalation was raised (Escalation.reason_phrase).
    "escalation.reason.low_rating": ngettext_lazy(
        "Customer rated %(stars)d star. Contact them at once.",
        "Customer rated %(stars)d stars. Contact them at once.", "stars"),
    "escalation.reason.closed_cannot_reopen": _(
        "The ticket is closed and cannot reopen: reply by a new ticket or by phone."),
    "escalation.reason.reopened": ngettext_lazy("Reopened %(n)d time.", "Reopened %(n)d times.", "n"),
    "escalation.reason.repeat_tickets": _("%(customer)s opened %(n)d tickets in %(days)s days."),
    "escalation.reason.first_response_breached": _("First-response target breached."),
    "escalation.reason.resolution_breached": _("Resolution target breached."),
    "escalation.reason.complaint_overdue": _("Complaint still unresolved past its target."),
    "escalation.reason.remedy_needs_approval": _("%(remedy)s needs approval"),
    "escalation.rated": ngettext_lazy("Rated %(stars)d star.", "Rated %(stars)d stars.", "stars"),
    # The rating an escalation carries, changed by the customer afterwards (history rows and notifications).
    "escalation.rating_changed": ngettext_lazy(
        "The customer changed the rating from %(previous)d to %(stars)d star.",
        "The customer changed the rating from %(previous)d to %(stars)d stars.", "stars"),
    "escalation.customer_answered": _("The customer answered: “%(answer)s”"),
    "escalation.customer_commented": _("The customer added: “%(comment)s”"),
    "escalation.customer_words_removed": _("The customer removed what they had written."),
    # A remedy as a phrase: its kind's name, amount and unit (no words of its own).
    "escalation.remedy": "%(kind)s %(amount)s %(unit)s",
    # Routing (Escalation.routing, and the history rows of routing, tier-ups and reassignments).
    "escalation.routing.explained": _explained,
    "escalation.routing.team": _("routed to %(name)s (team supervisor): on shift, %(load)s"),
    "escalation.routing.manager": _("routed to %(name)s (manager of queue %(queue)s): %(load)s"),
    "escalation.routing.admin": _("routed to %(name)s (admin): %(load)s"),
    "escalation.routing.nobody_on_shift": _("nobody on shift: routed to %(name)s, least loaded (%(load)s)"),
    "escalation.routing.nobody_available": _("nobody available: left unassigned for any admin"),
    "escalation.routing.open_count": ngettext_lazy("%(n)d open escalation", "%(n)d open escalations", "n"),
    "escalation.routing.not_eligible": _("%(name)s not eligible: it is their own ticket or remedy"),
    "escalation.routing.away": _("%(name)s away"),
    "escalation.routing.off_shift": _("%(name)s off shift"),
    "escalation.routing.has_load": _("%(name)s has %(load)s"),
    "escalation.routing.no_supervisors": _("the team has no supervisors"),
    "escalation.routing.no_manager": _("queue %(queue)s has no manager"),
    "escalation.nobody": _("nobody"),
    "escalation.tier_up.nobody_higher": _("Not acknowledged in time by %(name)s; nobody higher is available."),
    "escalation.tier_up.moved": _("Not acknowledged in time by %(name)s, moved up a tier: %(why)s"),
    "escalation.reassigned": _("Reassigned by %(actor)s from %(previous)s to %(to)s"),
    "escalation.reassigned_with_note": _("Reassigned by %(actor)s from %(previous)s to %(to)s: %(note)s"),
    # Notifications (Notification.phrase).
    "escalation.notice.routed": _("%(trigger)s on %(reference)s: %(why)s"),
    "escalation.notice.low_rating": ngettext_lazy(
        "%(reference)s, already escalated, was rated %(stars)d star: contact the customer at once.",
        "%(reference)s, already escalated, was rated %(stars)d stars: contact the customer at once.", "stars"),
    "escalation.notice.sla_warning": _("%(reference)s: %(target)s due at %(due)s"),
    "escalation.sla.first_response": _("first response"),
    "escalation.sla.resolution": _("resolution"),
    # Remedies: the notes on the ticket, the history rows and the notifications.
    "escalation.remedy.applied": _("Remedy applied: %(remedy)s (within %(name)s's authority of %(limit)s)."),
    "escalation.remedy.proposed": _(
        "Remedy proposed: %(remedy)s, awaiting a supervisor's approval (authority: %(limit)s)."),
    "escalation.remedy.no_authority": _("none"),
    "escalation.remedy.approved": _("Remedy approved by %(name)s: %(remedy)s."),
    "escalation.remedy.denied": _("Remedy denied by %(name)s: %(remedy)s."),
    "escalation.returned_with_guidance": _("Escalation returned with guidance:"),
    # The ticket's timeline: why a low rating reopened it (TicketEvent.reason_phrase).
    "escalation.reopened_for_recovery": ngettext_lazy(
        "Service recovery: rated %(stars)d star", "Service recovery: rated %(stars)d stars", "stars"),
    **{f"escalation.trigger.{value}": label for value, label in Trigger.choices},
    **{f"escalation.remedy_kind.{value}": label for value, label in RemedyKind.choices},
}

phrases.register(CATALOGUE)


def trigger(value: str) -> dict:
    """A trigger's name as a phrase parameter."""
    return phrase(f"escalation.trigger.{value}")


def person(user) -> dict | str:
    """Someone's name as a phrase parameter: their full name (else username), or "nobody"."""
    if user is None:
        return phrase("escalation.nobody")
    return user.get_full_name() or user.get_username()


def remedy(kind: str, amount, unit: str) -> dict:
    """A remedy as a phrase; its amount is shown in the reader's number format ("120,00 EUR")."""
    return phrase("escalation.remedy", kind=phrase(f"escalation.remedy_kind.{kind}"), amount=Decimal(str(amount)),
                  unit=unit)
