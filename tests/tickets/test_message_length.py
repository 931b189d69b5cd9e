"""One limit for message text on every channel (MESSAGE_MAX_LENGTH): the services refuse longer text,
the API and forms say so first, and email keeps the text up to the limit with the full original attached."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests import factories
from tickets import services
from tickets.exceptions import MessageTooLong
from tickets.models import Attachment, InboundEmail, Ticket
from tickets.services.email_intake import ticket_create_from_email

EMAILS = Path(__file__).parent / "emails"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def long_email(body: bytes, *, content_type: str = "text/plain; charset=utf-8", message_id: str = "long-1") -> bytes:
    return (f"From: Ana <ana@example.es>\r\nTo: support@delightdesk.localhost\r\nSubject: Registro\r\n"
            f"Message-ID: <{message_id}@example.es>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
            ).encode() + body


def test_the_default_limit_is_the_web_form_s_20000_characters(settings):
    assert settings.MESSAGE_MAX_LENGTH == 20_000


def test_a_ticket_cannot_be_created_with_a_description_over_the_limit(queue, customer, settings):
    settings.MESSAGE_MAX_LENGTH = 100
    with pytest.raises(MessageTooLong):
        services.ticket_create(customer=customer, subject="Long", description="x" * 101)
    assert not Ticket.objects.exists()


def test_a_message_cannot_be_added_with_a_body_over_the_limit(ticket, agent, settings):
    settings.MESSAGE_MAX_LENGTH = 100
    with pytest.raises(MessageTooLong):
        services.message_add(ticket=ticket, body="x" * 101, author_user=agent)
    services.message_add(ticket=ticket, body="x" * 100, author_user=agent)


def test_the_api_refuses_a_description_over_the_limit(customer_user, queue):
    client = APIClient()
    client.force_authenticate(customer_user)
    response = client.post("/api/v1/tickets/", {"subject": "Long", "description": "x" * 20_001}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()["errors"]


def test_the_api_refuses_a_reply_over_the_limit(agent, ticket):
    client = APIClient()
    client.force_authenticate(agent)
    response = client.post(f"/api/v1/tickets/{ticket.reference}/messages/", {"body": "x" * 20_001}, format="json")
    assert response.status_code == 400
    assert not ticket.messages.exists()


def test_a_long_email_keeps_its_text_up_to_the_limit_and_the_full_original_as_eml(queue, settings):
    settings.MESSAGE_MAX_LENGTH = 1000
    data = long_email(b"Line of a long log file, again and again.\r\n" * 5000)
    result = ticket_create_from_email(raw=data)
    ticket = result.inbound.ticket
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert len(ticket.description) == 1000
    assert ticket.description.startswith("Line of a long log file")
    assert result.inbound.text_truncated
    original = Attachment.objects.get(ticket=ticket, filename="original-email.eml")
    assert original.file.read() == data


def test_a_long_html_email_is_cut_too(queue, settings):
    settings.MESSAGE_MAX_LENGTH = 1000
    html = b"<html><body>" + b"<p style='margin:0'>Paragraph of a very long newsletter-like email.</p>\r\n" * 20000
    ticket = ticket_create_from_email(raw=long_email(html, content_type="text/html; charset=utf-8")).inbound.ticket
    assert len(ticket.description) <= 1000
    assert ticket.description.startswith("Paragraph of a very long")


def test_a_long_reply_is_cut_and_keeps_its_original(queue, settings):
    from tickets.services.notifications import confirmation_message_id

    settings.MESSAGE_MAX_LENGTH = 500
    ticket = factories.TicketFactory(queue=queue, customer=factories.CustomerFactory(email="ana@example.es"))
    data = long_email(b"Here is the whole log.\r\n" * 2000).replace(
        b"MIME-Version", f"In-Reply-To: {confirmation_message_id(ticket)}\r\nMIME-Version".encode())
    result = ticket_create_from_email(raw=data)
    assert result.inbound.outcome == InboundEmail.Outcome.REPLY
    reply = ticket.messages.get()
    assert len(reply.body) == 500
    assert [a.filename for a in reply.attachments.all()] == ["original-email.eml"]


def test_a_short_email_gets_no_original_attached(queue):
    ticket = ticket_create_from_email(raw=long_email(b"Short and sweet.\r\n")).inbound.ticket
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_a_file_over_the_attachment_limit_is_left_out_but_kept_in_the_original(queue, settings):
    settings.ATTACHMENT_MAX_BYTES = 10_000
    big = b"JVBERi0xLjQK" + b"QUFBQUFBQUFB" * 2000  # base64 of a PDF-looking file, ~18 kB decoded
    data = long_email(
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe contract is attached.\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"contract.pdf\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + big + b"\r\n--b--\r\n",
        content_type='multipart/mixed; boundary="b"')
    result = ticket_create_from_email(raw=data)
    assert result.inbound.ticket.description == "The contract is attached."
    assert "contract.pdf" in result.inbound.reason
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["original-email.eml"]


def test_an_email_over_email_max_bytes_is_refused_and_recorded_with_its_headers(queue, settings):
    settings.EMAIL_MAX_BYTES = 10_000
    data = long_email(b"x" * 20_000, message_id="too-big")
    with pytest.raises(CommandError) as caught:
        call_command("ingest_email", stdin=BytesIO(data))
    assert caught.value.returncode == 65
    inbound = InboundEmail.objects.get(message_id="<too-big@example.es>")
    assert inbound.outcome == InboundEmail.Outcome.REJECTED
    assert "EMAIL_MAX_BYTES" in inbound.reason
    assert inbound.sender == "ana@example.es"
    assert len(bytes(inbound.raw)) < 1000
