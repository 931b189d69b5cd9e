from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tickets.permissions import staff_required
from tickets.roles import Role, role_of

# Each role's landing page, by URL name; the first that exists wins.
LANDING_PAGES = {
    Role.CUSTOMER: ("tickets:my_tickets",),
    Role.AGENT: ("tickets:list",),
    Role.SUPERVISOR: ("escalation:inbox", "tickets:list"),
    Role.ADMIN: ("feedback:dashboard", "tickets:list"),
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


def favicon(request):
    """Browsers ask for /favicon.ico on their own (API responses, pages without a <link rel=icon>)."""
    return redirect(static("favicon.ico"))


def healthz(request):
    return JsonResponse({"status": "ok"})


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def _mail_dir() -> Path:
    if not settings.SHOW_SENT_MAIL:
        raise Http404
    return Path(settings.EMAIL_FILE_PATH)


def _parse(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def _sent_at(message) -> datetime | str:
    """The Date header as a moment (shown in the reader's format and zone), or as written if unreadable."""
    try:
        sent_at = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return str(message["Date"] or "")
    return sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)  # "-0000": UTC, zone not told


@staff_required
def sent_mail_list(request):
    directory = _mail_dir()
    files = sorted(directory.glob("*.eml"), reverse=True)[:200] if directory.exists() else []
    mails = []
    for path in files:
        message = _parse(path)
        mails.append({"name": path.name, "to": message["To"], "subject": message["Subject"], "date": _sent_at(message)})
    return render(request, "sent_mail/list.html", {"mails": mails})


@staff_required
def sent_mail_detail(request, name: str):
    path = _mail_dir() / Path(name).name
    if path.suffix != ".eml" or not path.is_file():
        raise Http404
    message = _parse(path)
    if request.GET.get("raw"):
        return HttpResponse(path.read_bytes(), content_type="text/plain; charset=utf-8")
    text = message.get_body(preferencelist=("plain",))
    return render(
        request,
        "sent_mail/detail.html",
        {
            "name": path.name,
            "headers": [
                (pgettext("email sender", "From"), message["From"]),
                (pgettext("email recipient", "To"), message["To"]),
                (_("Subject"), message["Subject"]),
                (_("Date"), _sent_at(message)),
                ("Message-ID", message["Message-ID"]),
            ],
            "body": text.get_content() if text else _("(this message has no plain-text part)"),
        },
    )
