"""Pages a customer sees: the public support form, the private follow page (signed link, no account),
"send me a fresh link", and their tickets when logged in. Thin: parse, call a service, render."""

import contextlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from accounts.permissions import customer_required
from helpdesk.errors import DomainError
from tickets import selectors
from tickets.forms.public import FreshLinkForm, ReplyForm, SupportForm, normalise_email
from tickets.models import Ticket
from tickets.services import intake, notifications
from tickets.tokens import ticket_for_follow_token

logger = logging.getLogger(__name__)

THANKS_SALT = "tickets.support.thanks"


def _rate(group, request) -> str:
    return settings.PUBLIC_FORM_RATE


def _email_key(group, request) -> str:
    return normalise_email(request.POST.get("email", ""))


def _reply_rate(group, request) -> str:
    return getattr(settings, "FOLLOW_REPLY_RATE", "30/h")


def _token_key(group, request) -> str:
    return request.resolver_match.kwargs.get("token", "")[-64:]


def _rate_limited(form) -> None:
    form.add_error(None, _("You have sent this form many times in a short while. Please wait a little and try "
                           "again; what you wrote is still here."))


# --- The support form -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(group="tickets.support.ip", key="ip", rate=_rate, method="POST", block=False)
@ratelimit(group="tickets.support.email", key=_email_key, rate=_rate, method="POST", block=False)
def support_form(request):
    if request.method != "POST":
        return render(request, "tickets/public/support_form.html", {"form": SupportForm()})
    form = SupportForm(request.POST, request.FILES)
    if form.is_bot:
        logger.info("support form: honeypot filled, nothing created")
        return redirect("tickets:support_thanks")
    status = 200
    if getattr(request, "limited", False):
        _rate_limited(form)
        status = 429
    elif form.is_valid():
        data = form.cleaned_data
        ticket = intake.ticket_create_from_form(
            name=data["name"], email=data["email"], subject=data["subject"], description=data["description"],
            attachments=data.get("attachment") or [], language=getattr(request, "LANGUAGE_CODE", ""),
        )
        token = signing.dumps(ticket.reference, salt=THANKS_SALT)
        return redirect(reverse("tickets:support_thanks") + f"?r={token}")
    context = {"form": form, "choose_file_again": bool(request.FILES.get("attachment"))}
    return render(request, "tickets/public/support_form.html", context, status=status)


def support_thanks(request):
    reference = None
    with contextlib.suppress(signing.BadSignature):
        reference = signing.loads(request.GET.get("r", ""), salt=THANKS_SALT, max_age=3600)
    return render(request, "tickets/public/thanks.html", {"reference": reference})


# --- The follow page (signed link) ------------------------------------------------------------


def _link_invalid(request, status: int, form=None):
    return render(
        request, "tickets/public/link_invalid.html",
        {"form": form or FreshLinkForm(), "expired": status == 410}, status=status,
    )


def _ticket_page_context(ticket: Ticket, *, reply_form, link_token: str | None) -> dict:
    timeline = selectors.public_messages(ticket).prefetch_related("attachments")
    return {
        "ticket": ticket,
        "customer": ticket.customer,
        "timeline": timeline,
        "opening_attachments": ticket.attachments.filter(message__isnull=True),
        "reply_form": reply_form,
        "can_reply": ticket.status != Ticket.Status.CLOSED,
        "link_token": link_token,
    }


def _handle_reply(request, ticket: Ticket, form: ReplyForm, customer) -> bool:
    if not form.is_valid():
        return False
    try:
        intake.customer_reply(
            ticket=ticket, customer=customer, body=form.cleaned_data["body"],
            attachments=form.cleaned_data.get("attachment") or [],
        )
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return False
    messages.success(request, _("Thank you, your reply was added."))
    return True


@require_http_methods(["GET", "POST"])
@ratelimit(group="tickets.follow.reply", key=_token_key, rate=_reply_rate, method="POST", block=False)
def follow(request, token: str):
    """A leaked link must not become a spam channel: replies through one link are rate-limited."""
    ticket, status = ticket_for_follow_token(token)
    if ticket is None:
        return _link_invalid(request, status)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if getattr(request, "limited", False):
            form.is_valid()
            _rate_limited(form)
            status = 429
        elif _handle_reply(request, ticket, form, ticket.customer):
            return redirect("tickets:follow", token=token)
    context = _ticket_page_context(ticket, reply_form=form, link_token=token)
    context["form_action"] = reverse("tickets:follow", args=[token])
    if status == 200 and form.errors:
        status = 400
    return render(request, "tickets/public/follow.html", context, status=status)


@require_http_methods(["GET", "POST"])
@ratelimit(group="tickets.fresh_link.ip", key="ip", rate=_rate, method="POST", block=False)
@ratelimit(group="tickets.fresh_link.email", key=_email_key, rate=_rate, method="POST", block=False)
def fresh_link(request):
    """Email fresh follow links. The answer is the same whether or not the address is known."""
    if request.method != "POST":
        return render(request, "tickets/public/fresh_link.html", {"form": FreshLinkForm()})
    form = FreshLinkForm(request.POST)
    if getattr(request, "limited", False):
        _rate_limited(form)
        return render(request, "tickets/public/fresh_link.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "tickets/public/fresh_link.html", {"form": form}, status=400)
    notifications.fresh_links_request(email=form.cleaned_data["email"])
    return render(request, "tickets/public/fresh_link_sent.html")


# --- Logged-in customers ----------------------------------------------------------------------


@customer_required
def my_tickets(request):
    tickets = selectors.visible_to(request.user).select_related("queue").order_by("-updated_at", "-id")
    status = request.GET.get("status", "")
    if status == "open":
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    elif status == "done":
        tickets = tickets.exclude(status__in=Ticket.OPEN_STATUSES)
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render(request, "tickets/my_tickets.html", {"page": page, "status": status})


@customer_required
@require_http_methods(["GET", "POST"])
def my_ticket(request, reference: str):
    if "\x00" in reference or len(reference) > 20:  # PostgreSQL refuses NUL in a string: a 404, not a 500
        raise Http404
    ticket = selectors.ticket_get_for_user(user=request.user, reference=reference)
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if _handle_reply(request, ticket, form, ticket.customer):
            return redirect("tickets:my_ticket", reference=ticket.reference)
    context = _ticket_page_context(ticket, reply_form=form, link_token=None)
    context["form_action"] = reverse("tickets:my_ticket", args=[ticket.reference])
    return render(request, "tickets/public/follow.html", context, status=400 if form.errors else 200)
