"""The outbox's email message writes the same bytes as Django's, only faster (`outbox/messages.py`)."""

import uuid
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.core.mail import EmailMultiAlternatives

from outbox.messages import OutboxEmail

TRICKY_HEADER_VALUES = [
    "How did we do? [DD-1042] Printer on fire",
    "  leading and trailing spaces  ",
    "tab\tinside and  double  spaces",
    "=?utf-8?q?looks_encoded?= but is plain text",
    "x" * 73,  # "Subject: " + 73 = 82: over the line limit, folded by compat32
    "y" * 69,  # exactly at the limit
    "Ümlauts and ★ stars: encoded, not written as they are",
    "a very long subject made of many short words that certainly needs folding at the limit of 78",
    "",
]


def _both(subject: str, **extra) -> tuple[bytes, bytes]:
    fields = {
        "subject": subject,
        "body": "Hello Ülle,\n\nThe text part.\n",
        "from_email": "Delight Desk <support@desk.example>",
        "to": ["Ülle Õun <ulle@example.com>", "second@example.com"],
        "headers": {"Message-ID": "<dd.DD-1.v1.abc@desk.example>", "X-Delightdesk-Survey": "7",
                    "Content-Language": "et", **extra},
    }
    written = []
    for message_class in (EmailMultiAlternatives, OutboxEmail):
        message = message_class(**fields)
        message.attach_alternative("<p>The HTML part, &amp; ★</p>", "text/html")
        mime = message.message()
        data = mime.as_bytes(linesep="\r\n")
        boundary = mime.get_boundary().encode()
        written.append(data.replace(boundary, b"BOUNDARY").replace(mime["Date"].encode(), b"DATE"))
    return written[0], written[1]


@pytest.mark.parametrize("subject", TRICKY_HEADER_VALUES)
def test_an_outbox_email_is_byte_for_byte_what_django_writes(subject):
    django_bytes, outbox_bytes = _both(subject, **{"X-Long-Header": "z " * 60})

    assert outbox_bytes == django_bytes


def test_an_outbox_email_reads_back_with_its_subject_and_both_parts():
    subject = TRICKY_HEADER_VALUES[6]
    message = OutboxEmail(subject=subject, body="Text ★", from_email="desk@example.com", to=["a@example.com"])
    message.attach_alternative("<p>HTML ★</p>", "text/html")

    parsed = message_from_bytes(message.message().as_bytes())

    assert str(make_header(decode_header(parsed["Subject"]))) == subject
    parts = [part.get_payload(decode=True).decode() for part in parsed.walk() if not part.is_multipart()]
    assert parts == ["Text ★", "<p>HTML ★</p>"]


def test_a_boundary_found_in_the_text_is_not_used(monkeypatch):
    fixed = uuid.UUID("0123456789abcdef0123456789abcdef")
    monkeypatch.setattr("outbox.messages.uuid.uuid4", lambda: fixed)
    message = OutboxEmail(subject="s", body=f"quoting =_{fixed.hex} in the text", to=["a@example.com"])
    message.attach_alternative("<p>html</p>", "text/html")

    mime = message.message()
    mime.as_bytes()

    assert fixed.hex not in mime.get_boundary()


def test_a_message_without_alternatives_is_not_multipart():
    mime = OutboxEmail(subject="s", body="only text", to=["a@example.com"]).message()

    assert not mime.is_multipart()
    assert b"only text" in mime.as_bytes()
