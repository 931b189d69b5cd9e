"""The agent's workspace: ticket list, ticket page and its actions, new ticket on a customer's behalf.

Thin views: parse a form, call one service, render. Actions are POST endpoints that answer an htmx
request with the ticket partial and a plain form post with a redirect (PRG), so everything works
without JavaScript. Every action carries the ticket's `version`; a stale form is refused with a
message and a reload link, and nothing the agent typed is lost.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.errors import DomainError
from tickets import selectors, selectors_workspace, services
from tickets.exceptions import StaleTicket
from tickets.filters import TicketFilter
from tickets.forms.workspace import (
    BulkStatusForm,
    ReplyForm,
    TagsForm,
    TakeForm,
    TicketCreateForm,
    TicketPropertiesForm,
)
from tickets.models import Ticket
from tickets.permissions import staff_required
from tickets.services.macros import macro_render, macro_render_text, macro_values
from tickets.views import reply_mode

# --- List ------------------------------------------------------------------------------------------


def _per_page(params: QueryDict) -> int:
    try:
        value = int(params.get("per_page", ""))
    except ValueError:
        return selectors_workspace.DEFAULT_PAGE_SIZE
    return value if value in selectors_workspace.PAGE_SIZES else selectors_workspace.DEFAULT_PAGE_SIZE


def _status_scope(params: QueryDict) -> tuple[QueryDict, bool]:
    """(the filters without the "any status" choice, whether to list only the unsolved tickets).

    No status chosen means the unsolved work, what the view badges count; "any" lifts that default.
    """
    chosen = [value for value in params.getlist("status") if value]
    if selectors_workspace.STATUS_ANY not in chosen:
        return params, not chosen
    params = params.copy()
    params.setlist("status", [value for value in chosen if value != selectors_workspace.STATUS_ANY])
    return params, False


def _list_context(request, params: QueryDict, *, partial: bool) -> dict:
    """The list page's context for the filters in `params` (the query string, or the bulk form's `next`)."""
    user = request.user
    views = selectors_workspace.views_for(user)
    view = params.get("view")
    if view not in views:
        view = selectors_workspace.default_view(user)
    per_page = _per_page(params)
    params, unsolved_only = _status_scope(params)
    base = selectors_workspace.ticket_list_for_user(user, view=view, unsolved_only=unsolved_only)
    filterset = TicketFilter(params, queryset=base, request=request)
    page = selectors_workspace.paginate(filterset.qs, page=params.get("page"), per_page=per_page)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "rows": selectors_workspace.list_rows(page.object_list),
        "view": view,
        "unsolved_only": unsolved_only,
        "exact_match": selectors_workspace.exact_reference_match(user, params.get("q", "")),
        "status_any": selectors_workspace.STATUS_ANY,
        "ordering": params.get("ordering") or "-created",
        "per_page": per_page,
        "page_sizes": selectors_workspace.PAGE_SIZES,
        "bulk_form": BulkStatusForm(),
        "selected_ids": set(),
        "list_url": request.get_full_path(),  # where the bulk form comes back to, filters and page kept
    }
    if partial:
        return context
    counts = selectors_workspace.view_counts(user)
    context["views"] = [
        {"slug": slug, "label": selectors_workspace.VIEW_LABELS[slug], "count": counts.get(slug, 0)}
        for slug in views
    ]
    context.update(selectors_workspace.list_filter_choices(user))
    return context


@staff_required
def ticket_list(request):
    partial = bool(request.htmx and request.htmx.target == "ticket-results")
    context = _list_context(request, request.GET, partial=partial)
    if partial:
        return render(request, "tickets/workspace/_list_results.html", context)
    return render(request, "tickets/list.html", context)


def _safe_next(request, url: str) -> str:
    """The list URL the bulk form came from (with its filters), if it is one of ours; else the plain list."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("tickets:list")


def _bulk_notices(to_status: str, changed: int, unchanged: int) -> tuple[str, str]:
    """("12 tickets resolved.", "2 tickets were left as they were: ..."), either one empty when its count is 0."""
    done = ""
    if changed:
        if to_status == Ticket.Status.RESOLVED:
            done = ngettext("%(count)d ticket resolved.", "%(count)d tickets resolved.", changed)
        elif to_status == Ticket.Status.CLOSED:
            done = ngettext("%(count)d ticket closed.", "%(count)d tickets closed.", changed)
        else:
            done = ngettext("%(count)d ticket set to %(status)s.", "%(count)d tickets set to %(status)s.", changed)
        done = done % {"count": changed, "status": Ticket.Status(to_status).label}
    left = ""
    if unchanged:
        left = ngettext(
            "%(count)d ticket was left as it was: its status does not allow this change.",
            "%(count)d tickets were left as they were: their status does not allow this change.",
            unchanged,
        ) % {"count": unchanged}
    return done, left


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_bulk_status(request):
    """Move the tickets ticked in the list to one status; back to the list, its filters kept (PRG).

    Only ids the agent may see reach the service; the others count as left unchanged, never named.
    A refused form redraws the list the agent came from, with their ticks, status and reasons kept.
    """
    if request.method == "GET":
        # Links of a redrawn (refused) list are relative to this URL: send them to the list itself.
        query = request.GET.urlencode()
        return redirect(reverse("tickets:list") + (f"?{query}" if query else ""))
    next_url = _safe_next(request, request.POST.get("next", ""))
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        return _bulk_refused(request, form, next_url)
    data = form.cleaned_data
    wanted = data["tickets"]
    visible = list(selectors.visible_to(request.user).filter(pk__in=wanted).values_list("pk", flat=True))
    result = services.tickets_transition(
        ticket_ids=visible, to_status=data["status"], actor=request.user, reason=data["reason"],
        no_follow_up_reason=data["no_follow_up_reason"],
    )
    done, left = _bulk_notices(data["status"], len(result.changed), len(wanted) - len(result.changed))
    if done:
        messages.success(request, done)
    if left:
        messages.warning(request, left)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = next_url
        return response
    return redirect(next_url)


def _bulk_refused(request, form: BulkStatusForm, next_url: str) -> HttpResponse:
    """The list the agent came from, redrawn with the form's errors and everything they ticked and typed."""
    split = urlsplit(next_url)
    same_list = split.path == reverse("tickets:list")
    params = QueryDict(split.query if same_list else "")
    request.GET = params  # the redrawn page's links ({% querystring %}) keep the agent's filters
    partial = bool(request.htmx and request.htmx.target == "ticket-results")
    context = _list_context(request, params, partial=partial)
    context.update(bulk_form=form, selected_ids=form.submitted_ids(), list_url=next_url)
    if partial:  # htmx swaps only 2xx answers; the refusal is in the partial itself
        return render(request, "tickets/workspace/_list_results.html", context)
    return render(request, "tickets/list.html", context, status=400)


# --- Ticket page -----------------------------------------------------------------------------------


def _ticket_context(request, ticket: Ticket, **forms) -> dict:
    user = request.user
    allowed = services.allowed_transitions(ticket)
    tag_names = sorted(t.name for t in ticket.tags.all())
    macros = list(selectors_workspace.macros_for(user, ticket))
    staff = list(selectors_workspace.assignee_choices(ticket))
    values = macro_values(ticket=ticket, agent=user)
    context = {
        "ticket": ticket,
        "customer": ticket.customer,
        "timeline": selectors_workspace.ticket_timeline(user, ticket),
        # Files sent with the ticket itself (the web form, an email), not with a later message.
        "opening_attachments": list(ticket.attachments.filter(message__isnull=True)),
        "other_tickets": selectors_workspace.customer_other_tickets(user, ticket),
        "tag_names": tag_names,
        "can_take": ticket.assignee_id != user.pk and ticket.is_open
        and selectors_workspace.can_take(user, ticket, staff=staff),
        "is_closed": ticket.status == Ticket.Status.CLOSED,
        "macro_texts": {str(m.pk): macro_render_text(text=m.body, values=values) for m in macros},
        "reply_form": forms.get("reply_form")
        or ReplyForm(ticket=ticket, user=user, macros=macros,
                     initial={"kind": reply_mode.remembered_kind(request, ticket)}),
        "properties_form": forms.get("properties_form")
        or TicketPropertiesForm(ticket=ticket, user=user, allowed_statuses=allowed,
                                queues=list(selectors_workspace.queues_for_create(user)), staff=staff),
        "tags_form": forms.get("tags_form") or TagsForm(ticket=ticket, tag_names=tag_names),
        "take_form": TakeForm(ticket=ticket),
        "error": forms.get("error"),
        "stale": forms.get("stale", False),
        "notice": forms.get("notice"),
    }
    return context


def _render_ticket(request, ticket: Ticket, *, status: int = 200, **forms) -> HttpResponse:
    context = _ticket_context(request, ticket, **forms)
    if request.htmx:
        # htmx swaps only 2xx answers; the refusal is in the partial itself.
        return render(request, "tickets/workspace/_ticket.html", context)
    return render(request, "tickets/workspace/detail.html", context, status=status)


@staff_required
def ticket_detail(request, reference: str):
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    return _render_ticket(request, ticket)


def _done(request, reference: str, notice: str) -> HttpResponse:
    """After a successful action: the fresh partial (htmx) or a redirect to the page (PRG)."""
    try:
        ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    except Http404:
        # The ticket moved to a queue this user does not see.
        messages.info(request, _("%(notice)s The ticket is now outside your queues.") % {"notice": notice})
        url = reverse("tickets:list")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if request.htmx:
        return _render_ticket(request, ticket, notice=notice)
    messages.success(request, notice)
    return redirect("tickets:detail", reference=ticket.reference)


def _refused(request, reference: str, error: DomainError, *, form_name: str | None = None,
             form_class=None, form_kwargs=None) -> HttpResponse:
    """Show why the action was refused on a fresh copy of the ticket, keeping what the agent typed.

    A stale form is redrawn with the agent's text and the current version: the page now shows the
    other person's changes, and sending again is a deliberate choice made after seeing them.
    """
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    stale = isinstance(error, StaleTicket)
    forms = {"error": error.detail, "stale": stale}
    if form_name and form_class is not None:
        data = request.POST.copy()
        data["version"] = str(ticket.version)
        forms[form_name] = form_class(data, ticket=ticket, **(form_kwargs or {}))
    return _render_ticket(request, ticket, status=409 if stale else 400, **forms)


@staff_required
@require_POST
def ticket_reply(request, reference: str):
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    form = ReplyForm(request.POST, request.FILES, ticket=ticket, user=request.user)
    if not form.is_valid():
        return _render_ticket(request, ticket, status=400, reply_form=form)
    if "insert_macro" in request.POST:
        return _insert_macro(request, ticket, form)
    if not form.require_body():
        return _render_ticket(request, ticket, status=400, reply_form=form)
    data = form.cleaned_data
    kind = data["kind"]
    try:
        # A reply from a page that is no longer current is still accepted (messages append); a
        # status change sent with it is refused as stale, and the reply with it (message_add).
        services.message_add(
            ticket=ticket, body=data["body"], kind=kind, author_user=request.user,
            expected_version=data["version"], status=data.get("status") or None,
            attachments=data.get("attachment") or [],
        )
    except DomainError as error:
        return _refused(request, reference, error, form_name="reply_form", form_class=ReplyForm,
                        form_kwargs={"user": request.user})
    reply_mode.remember_kind(request, ticket, kind)
    notice = _("Reply sent.") if kind == "reply" else _("Note added.")
    return _done(request, reference, notice)


def _insert_macro(request, ticket: Ticket, form: ReplyForm) -> HttpResponse:
    """Without JavaScript, "Insert" puts the canned reply into the textarea for editing (nothing is sent)."""
    macro = form.cleaned_data.get("macro")
    if macro is None:
        form.add_error("macro", _("Choose a canned reply to insert."))
        return _render_ticket(request, ticket, status=400, reply_form=form)
    data = request.POST.copy()
    text = macro_render(macro=macro, ticket=ticket, agent=request.user)
    body = form.cleaned_data.get("body") or ""
    data["body"] = f"{body}\n\n{text}" if body else text
    data["macro"] = ""
    return _render_ticket(request, ticket, reply_form=ReplyForm(data, ticket=ticket, user=request.user))


@staff_required
@require_POST
def ticket_update(request, reference: str):
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    kwargs = {"user": request.user, "allowed_statuses": services.allowed_transitions(ticket)}
    form = TicketPropertiesForm(request.POST, ticket=ticket, **kwargs)
    if not form.is_valid():
        return _render_ticket(request, ticket, status=400, properties_form=form)
    data = form.cleaned_data
    try:
        services.ticket_update(
            ticket=ticket, actor=request.user, expected_version=data["version"], status=data["status"],
            priority=data["priority"], kind=data["kind"], queue=data["queue"], assignee=data["assignee"],
            no_follow_up_reason=data.get("no_follow_up_reason", ""),
        )
    except DomainError as error:
        # The fields show the ticket as it is now (someone else's change or the unchanged value).
        return _refused(request, reference, error)
    return _done(request, reference, _("Ticket updated."))


@staff_required
@require_POST
def ticket_take(request, reference: str):
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    form = TakeForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return _render_ticket(request, ticket, status=400, error=_("The form was incomplete. Reload and try again."))
    try:
        services.ticket_assign(ticket=ticket, assignee=request.user, actor=request.user,
                               expected_version=form.cleaned_data["version"])
    except DomainError as error:
        return _refused(request, reference, error)
    return _done(request, reference, _("The ticket is yours."))


@staff_required
@require_POST
def ticket_tags(request, reference: str):
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    tag_names = sorted(t.name for t in ticket.tags.all())
    form = TagsForm(request.POST, ticket=ticket, tag_names=tag_names)
    if not form.is_valid():
        return _render_ticket(request, ticket, status=400, tags_form=form)
    try:
        services.ticket_update(ticket=ticket, actor=request.user, expected_version=form.cleaned_data["version"],
                               tags=form.cleaned_data["tags"])
    except DomainError as error:
        return _refused(request, reference, error, form_name="tags_form", form_class=TagsForm,
                        form_kwargs={"tag_names": tag_names})
    return _done(request, reference, _("Tags saved."))


# --- New ticket on a customer's behalf -------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    form = TicketCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_open_for_customer(
                actor=request.user, customer_email=data["customer_email"], customer_name=data["customer_name"],
                subject=data["subject"], description=data["description"], channel=Ticket.Channel.PHONE,
                queue=data["queue"], priority=data["priority"], kind=data["kind"],
                assignee=request.user if data["assign_to_me"] else None,
            )
        except DomainError as error:  # nothing was created: the agent corrects the form and sends it again
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Ticket %(reference)s opened for %(customer)s.")
                             % {"reference": ticket.reference, "customer": ticket.customer.name})
            return redirect("tickets:detail", reference=ticket.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/workspace/create.html", {"form": form}, status=status)
