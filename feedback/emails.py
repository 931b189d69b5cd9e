"""Building and sending the survey emails. Rendering happens in the customer's language.

Workers keep one SMTP connection open per thread between tasks (a survey burst is thousands of
messages); any error closes it, and the next message opens a fresh one.
"""

import contextlib
import functools
import re
import threading
import uuid
from email.header import Header
from email.utils import formatdate
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from feedback.models import STAR_LABELS
from feedback.tokens import relationship_token_for, survey_token_for
from tickets.email_trust import desk_message_id

_local = threading.local()
_EOL = re.compile(r"\r\n|\r|\n")
_URL_SAFE = "!$&'()*+,;=/~:@"  # what django.urls.reverse leaves unquoted


def survey_message_id(survey) -> str:
    """Deterministic: a re-send of the same survey carries the same Message-ID (receivers dedupe on it).
    Signed by the desk (`tickets.email_trust`): the customer's answer by email threads onto the ticket."""
    return desk_message_id(f"v{survey.pk}", reference=survey.ticket.reference)


def relationship_message_id(survey) -> str:
    return desk_message_id(f"rel{survey.pk}")


@functools.lru_cache(maxsize=8)
def _survey_path_pattern(urlconf: str) -> tuple[str, str, str]:
    """The survey page's path split around its two arguments (reversed once, not six times a message)."""
    path = reverse("feedback:survey", args=["REFSLOT", "TOKENSLOT"])
    head, rest = path.split("REFSLOT", 1)
    middle, tail = rest.split("TOKENSLOT", 1)
    return head, middle, tail


def survey_url(survey, *, stars: int | None = None, token: str | None = None) -> str:
    """The same URL as reverse("feedback:survey", ...) (same quoting), plus ?stars=n for a star link."""
    head, middle, tail = _survey_path_pattern(str(getattr(settings, "ROOT_URLCONF", "")))
    reference = quote(survey.ticket.reference, safe=_URL_SAFE)
    path = f"{head}{reference}{middle}{quote(token or survey_token_for(survey), safe=_URL_SAFE)}{tail}"
    return settings.SITE_URL.rstrip("/") + path + (f"?stars={stars}" if stars else "")


# The survey email is rendered once per (language, with or without an agent) with placeholders, and
# filled per survey: rendering three templates per message cost more than the SMTP exchange did.
# `_fill` substitutes in one pass (a value that looks like a placeholder is never expanded), escaping
# for the HTML part; the text templates are plain text (autoescape off).
_SLOT = "@@DDSLOT:{}@@"
_SLOT_RE = re.compile(r"@@DDSLOT:([a-z0-9]+)@@")


def _slot(name: str) -> str:
    return SafeString(_SLOT.format(name))


@functools.lru_cache(maxsize=64)
def _skeleton(language: str, with_agent: bool) -> tuple[str, str, str, str]:
    """(subject, text, html, Content-Language) of the survey email with placeholders, in `language`."""
    with translation.override(language):
        context = {
            "survey": None,
            "ticket": {"reference": _slot("reference"), "subject": _slot("subject")},
            "customer": {"name": _slot("name")},
            "agent_name": _slot("agent") if with_agent else "",
            "star_links": [(n, STAR_LABELS[n], _slot(f"url{n}")) for n in (5, 4, 3, 2, 1)],
            "survey_url": _slot("url"),
            "language": translation.get_language(),
        }
        subject = render_to_string("feedback/email/survey_subject.txt", context)
        text = render_to_string("feedback/email/survey.txt", context)
        html = render_to_string("feedback/email/survey.html", context)
        return subject, text, html, translation.get_language()


def _fill(skeleton: str, values: dict[str, str]) -> str:
    return _SLOT_RE.sub(lambda match: values.get(match.group(1), match.group(0)), skeleton)


def survey_email_parts(survey) -> tuple[str, str, str, str]:
    """(subject, text, html, language) of one survey's email, exactly as the templates render it."""
    ticket = survey.ticket
    agent = survey.agent
    agent_name = (agent.get_full_name() or agent.get_username()) if agent else ""
    token = survey_token_for(survey)  # one signature for the six links
    values = {
        "name": survey.customer.name,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "agent": agent_name,
        "url": survey_url(survey, token=token),
        **{f"url{n}": survey_url(survey, stars=n, token=token) for n in range(1, 6)},
    }
    subject, text, html, language = _skeleton(survey.language, bool(agent_name))
    escaped = {key: conditional_escape(value) for key, value in values.items()}
    return " ".join(_fill(subject, values).split()), _fill(text, values), _fill(html, escaped), language


def build_survey_email(survey, *, message_id: str = "") -> EmailMultiAlternatives:
    subject, text, html, language = survey_email_parts(survey)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[survey.customer.email],
        headers={
            "Message-ID": message_id or survey.message_id or survey_message_id(survey),
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
            "X-Delightdesk-Survey": str(survey.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_relationship_email(survey) -> EmailMultiAlternatives:
    with translation.override(survey.language):
        path = reverse("feedback:relationship_survey", args=[relationship_token_for(survey)])
        context = {
            "survey": survey,
            "customer": survey.customer,
            "url": settings.SITE_URL.rstrip("/") + path,
            "scores": range(11),
        }
        subject = " ".join(render_to_string("feedback/email/relationship_subject.txt", context).split())
        text = render_to_string("feedback/email/relationship.txt", context)
        language = translation.get_language()
    return EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[survey.customer.email],
        headers={
            "Message-ID": relationship_message_id(survey),
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
    )


def _connection_key() -> tuple:
    return (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), getattr(settings, "EMAIL_PORT", 0))


def _open_connection():
    key = _connection_key()
    connection = getattr(_local, "connection", None)
    if connection is None or getattr(_local, "key", None) != key:
        close_connection()
        connection = get_connection(fail_silently=False)
        connection.open()
        _local.connection, _local.key = connection, key
    return connection


def deliver(message: EmailMultiAlternatives) -> None:
    """Send one message on this thread's cached connection; raise on any failure (after closing it)."""
    connection = _open_connection()
    try:
        sent = connection.send_messages([message])
    except Exception:
        close_connection()
        raise
    if sent != 1:
        close_connection()
        raise RuntimeError("the mail server accepted no message")


def deliver_survey(survey, *, message_id: str) -> None:
    """Send one survey email on this thread's cached connection; raise on any failure.

    Through Django's SMTP backend, the MIME message is written directly (`survey_mime`), not built
    with the email package: that cost more CPU than rendering and the SMTP exchange together. Any
    other backend (tests' locmem, the development file backend) gets the EmailMultiAlternatives.
    """
    connection = _open_connection()
    smtp = getattr(connection, "connection", None)
    raw = survey_mime(survey, message_id=message_id) if isinstance(connection, SMTPBackend) and smtp else None
    if raw is None:
        deliver(build_survey_email(survey, message_id=message_id))
        return
    sender, recipient, data = raw
    try:
        smtp.sendmail(sender, [recipient], data)
    except Exception:
        close_connection()
        raise


@functools.lru_cache(maxsize=4)
def _envelope_sender(from_email: str) -> tuple[str, str]:
    """(envelope address, From header) as Django's SMTP backend would write them."""
    return sanitize_address(from_email, settings.DEFAULT_CHARSET), sanitize_address(from_email, "utf-8")


def _header(name: str, value: str) -> str:
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}"
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _crlf(text: str) -> bytes:
    """SMTP lines end in CRLF (smtplib does not convert the line ends of bytes)."""
    return _EOL.sub("\r\n", text).encode()


def survey_mime(survey, *, message_id: str) -> tuple[str, str, bytes] | None:
    """(envelope sender, recipient, RFC 5322 bytes) of the survey email: multipart/alternative, the
    text and the HTML part in UTF-8, 8bit; the same headers as `build_survey_email`. None when a
    plain writer would not do (a non-ASCII address, a line longer than SMTP allows): then the email
    package builds it."""
    recipient = survey.customer.email
    if not recipient.isascii() or "\n" in recipient or "\r" in recipient:
        return None
    subject, text, html, language = survey_email_parts(survey)
    text_bytes, html_bytes = _crlf(text), _crlf(html)
    if max(map(len, (*text_bytes.split(b"\r\n"), *html_bytes.split(b"\r\n")))) > 990:
        return None
    envelope, from_header = _envelope_sender(settings.DEFAULT_FROM_EMAIL)
    boundary = f"===============dd{uuid.uuid4().hex}=="
    head = "\r\n".join(
        (
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "MIME-Version: 1.0",
            _header("Subject", subject),
            f"From: {from_header}",
            f"To: {recipient}",
            f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
            f"Message-ID: {message_id}",
            f"Content-Language: {language}",
            "Auto-Submitted: auto-generated",
            f"X-Delightdesk-Survey: {survey.pk}",
        )
    )
    part = 'Content-Type: text/{}; charset="utf-8"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    data = b"".join(
        (
            head.encode(),
            f"\r\n\r\n--{boundary}\r\n".encode(),
            part.format("plain").encode(),
            text_bytes,
            f"\r\n--{boundary}\r\n".encode(),
            part.format("html").encode(),
            html_bytes,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return envelope, recipient, data


def close_connection() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        with contextlib.suppress(Exception):  # a broken connection is being discarded anyway
            connection.close()
