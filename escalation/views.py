"""The supervisor's inbox, escalation pages and actions, the ticket-panel forms. Thin views.

Every action is a POST form that works without JavaScript (redirect back with a message); with htmx
the detail page's action panel is swapped in place.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required, supervisor_required
from accounts.roles import Role, role_of
from escalation import selectors, services
from escalation.forms import (
    DecideForm,
    EscalateForm,
    GuidanceForm,
    NoteForm,
    ReassignForm,
    RemedyForm,
)
from escalation.models import Escalation, Remedy, Trigger
from escalation.services.notifications import notifications_mark_read
from helpdesk.errors import DomainError
from tickets.models import Message
from tickets.selectors import messages_visible_to, ticket_get_for_user

ACTIONS = ("acknowledge", "take_over", "return", "reassign", "resolve")


@supervisor_required
def inbox(request):
    state = request.GET.get("state", "open")
    state = state if state in ("open", "closed", "all") else "open"
    scope = request.GET.get("scope", "all")
    scope = scope if scope in ("mine", "all") else "all"
    page = Paginator(selectors.inbox_for(request.user, state=state, scope=scope), 25).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "scope": scope, "awaiting": selectors.remedies_awaiting(request.user)[:10],
               "counts": selectors.open_counts_for(request.user), "all_teams": role_of(request.user) == Role.ADMIN}
    template = "escalation/_inbox_results.html" if request.htmx else "escalation/inbox.html"
    return render(request, template, context)


def _detail_context(request, escalation: Escalation, **forms) -> dict:
    ticket = escalation.ticket
    may_act = role_of(request.user) in (Role.SUPERVISOR, Role.ADMIN)
    history = list(selectors.escalation_history(escalation))
    return {
        "escalation": escalation,
        "ticket": ticket,
        "history": history,
        "triggers": selectors.escalation_triggers(escalation, history),
        "sla": selectors.ticket_sla_view(ticket),
        "ticket_events": ticket.events.select_related("actor").order_by("-created_at")[:30],
        "ticket_messages": messages_visible_to(request.user, ticket).order_by("-created_at")[:10],
        "remedies": escalation.remedies.select_related("proposed_by", "decided_by").order_by("-created_at"),
        "may_act": may_act and escalation.is_open,
        "guidance_form": forms.get("guidance_form") or GuidanceForm(prefix=GuidanceForm.PREFIX),
        "note_form": forms.get("note_form") or NoteForm(prefix=NoteForm.PREFIX),
        "reassign_form": forms.get("reassign_form") or ReassignForm(handlers=selectors.handlers_for(escalation),
                                                                    prefix=ReassignForm.PREFIX),
        "decide_form": DecideForm(),
        "Message": Message,
    }


@staff_required
def detail(request, pk):
    escalation = selectors.escalation_get_for_user(user=request.user, pk=pk)
    return render(request, "escalation/detail.html", _detail_context(request, escalation))


@supervisor_required
@require_POST
def act(request, pk, action):
    escalation = selectors.escalation_get_for_user(user=request.user, pk=pk)
    if action not in ACTIONS:
        return HttpResponseNotAllowed(["POST"])
    forms: dict = {}
    try:
        if action == "acknowledge":
            services.escalation_acknowledge(escalation=escalation, actor=request.user)
            done = _("Acknowledged.")
        elif action == "take_over":
            services.escalation_take_over(escalation=escalation, actor=request.user)
            done = _("You took over the ticket.")
        elif action == "return":
            form = forms["guidance_form"] = GuidanceForm(request.POST, prefix=GuidanceForm.PREFIX)
            if not form.is_valid():
                raise _Invalid
            services.escalation_return(escalation=escalation, actor=request.user,
                                       guidance=form.cleaned_data["guidance"])
            done = _("Returned to the agent with your guidance.")
        elif action == "reassign":
            form = forms["reassign_form"] = ReassignForm(request.POST, handlers=selectors.handlers_for(escalation),
                                                                 prefix=ReassignForm.PREFIX)
            if not form.is_valid():
                raise _Invalid
            services.escalation_reassign(escalation=escalation, actor=request.user,
                                         to_user=form.cleaned_data["to_user"], note=form.cleaned_data["note"])
            done = _("Reassigned.")
        else:
            form = forms["note_form"] = NoteForm(request.POST, prefix=NoteForm.PREFIX)
            if not form.is_valid():
                raise _Invalid
            services.escalation_resolve(escalation=escalation, actor=request.user, note=form.cleaned_data["note"])
            done = _("Resolved.")
    except _Invalid:
        messages.error(request, _("Please correct the form below."))
        return _rerender(request, escalation, status=400, **forms)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _rerender(request, escalation, status=exc.status_code if exc.status_code < 500 else 400, **forms)
    messages.success(request, done)
    if request.htmx:
        escalation = selectors.escalation_get_for_user(user=request.user, pk=pk)
        return render(request, "escalation/_detail_body.html", _detail_context(request, escalation))
    return redirect("escalation:detail", pk=escalation.pk)


class _Invalid(Exception):
    pass


def _rerender(request, escalation, status=400, **forms):
    escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation.pk)
    template = "escalation/_detail_body.html" if request.htmx else "escalation/detail.html"
    return render(request, template, _detail_context(request, escalation, **forms), status=status)


# --- From the ticket page -----------------------------------------------------------------------


@staff_required
def ticket_escalate(request, reference):
    """'Get someone who can': GET shows the form (no-JS fallback), POST raises the escalation."""
    ticket = ticket_get_for_user(user=request.user, reference=reference)
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation, created = services.escalation_raise(
                ticket=ticket, trigger=Trigger.MANUAL, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            if created:
                messages.success(request, _("Escalated: %(why)s") % {"why": escalation.routing_explanation})
            else:
                messages.info(request, _("This ticket was already escalated; your reason was added to it."))
            return redirect("tickets:detail", reference=ticket.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "escalation/escalate_form.html", {"ticket": ticket, "form": form}, status=status)


@staff_required
def ticket_remedy(request, reference):
    ticket = ticket_get_for_user(user=request.user, reference=reference)
    form = RemedyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            remedy = services.remedy_propose(ticket=ticket, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            if remedy.state == Remedy.State.APPLIED:
                messages.success(request, _("Remedy applied: it is within your authority."))
            else:
                messages.info(request, _("Remedy sent for approval: it is above your authority."))
            return redirect("tickets:detail", reference=ticket.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "escalation/remedy_form.html", {"ticket": ticket, "form": form}, status=status)


@staff_required
def remedies(request):
    """Agents: my remedies and their answers. Supervisors: also those awaiting my decision."""
    mine = Paginator(selectors.remedies_of(request.user), 25).get_page(request.GET.get("page"))
    notifications_mark_read(user=request.user)
    return render(request, "escalation/remedies.html", {
        "mine": mine, "awaiting": selectors.remedies_awaiting(request.user), "decide_form": DecideForm(),
    })


@supervisor_required
def remedy_decide(request, pk):
    remedy = selectors.remedy_get_for_user(user=request.user, pk=pk)
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remedy_decide(remedy=remedy, actor=request.user,
                                   approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Decision sent to %(name)s.") % {
                "name": remedy.proposed_by.get_full_name() or remedy.proposed_by.get_username()})
            next_url = request.POST.get("next", "")
            if next_url.startswith("/") and not next_url.startswith("//"):
                return redirect(next_url)
            return redirect(reverse("escalation:remedies"))
    status = 400 if request.method == "POST" else 200
    return render(request, "escalation/remedy_decide.html", {"remedy": remedy, "form": form}, status=status)
