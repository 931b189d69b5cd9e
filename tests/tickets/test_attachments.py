"""Attachments: checked by extension AND content, stored through the storage API, served only as a
permission-checked download that no browser renders."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from tests import factories
from tests.tickets.image_files import image_bytes
from tickets import services
from tickets.attachments import attachment_store, check_file, safe_filename, sniff
from tickets.exceptions import InvalidAttachment
from tickets.models import Message
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = image_bytes("PNG")  # real images: an image is decoded and written anew before it is stored
JPEG = image_bytes("JPEG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP")
ZIP = b"PK\x03\x04" + bytes(30)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(30)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", PDF, "application/pdf"), ("a.PNG", PNG, "image/png"), ("a.jpg", JPEG, "image/jpeg"),
        ("a.jpeg", JPEG, "image/jpeg"), ("a.gif", GIF, "image/gif"), ("a.webp", WEBP, "image/webp"),
        ("a.txt", "Tere, äriklient!\n".encode(), "text/plain; charset=utf-8"),
        ("a.log", "caf\xe9 latin-1\n".encode("latin-1"), "text/plain; charset=utf-8"),
        ("a.csv", b"id,name\n1,x\n", "text/csv; charset=utf-8"), ("a.zip", ZIP, "application/zip"),
        ("a.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.xls", OLE, "application/vnd.ms-excel"),
    ],
)
def test_allowed_files_whose_content_agrees_are_accepted_with_our_content_type(name, data, content_type):
    checked = check_file(name=name, data=data)
    assert checked.content_type == content_type
    if content_type.startswith("image/"):  # decoded and written anew: the same picture
        assert Image.open(io.BytesIO(checked.data)).size == Image.open(io.BytesIO(data)).size
    else:
        assert checked.data == data


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + bytes(64), "program or web page"),
        ("tool.zip", b"\x7fELF" + bytes(64), "program or web page"),
        ("readme.txt", b"<!DOCTYPE html><p>hi</p>", "program or web page"),
        ("notes.txt", b"  \n<script>alert(1)</script>", "program or web page"),
        ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "program or web page"),
        ("image.png", JPEG, "not really a .png"),
        ("doc.pdf", ZIP, "not really a .pdf"),
        ("page.html", b"<html></html>", "cannot be attached"),
        ("vector.svg", b"<svg/>", "cannot be attached"),
        ("run.exe", b"MZ", "cannot be attached"),
        ("script.sh", b"#!/bin/sh\n", "cannot be attached"),
        ("invoice.pdf.exe", b"MZ", "cannot be attached"),
        ("noextension", PDF, "cannot be attached"),
        ("empty.pdf", b"", "is empty"),
        ("binary.txt", b"abc\x00\x01\x02", "not really a .txt"),
    ],
)
def test_files_are_refused_by_extension_or_by_content(name, data, reason):
    with pytest.raises(InvalidAttachment) as caught:
        check_file(name=name, data=data)
    assert reason in caught.value.detail


def test_files_over_the_limit_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(InvalidAttachment, match="at most"):
        check_file(name="a.pdf", data=PDF)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [("../../etc/passwd.txt", "passwd.txt"), ("C:\\Users\\x\\report.PDF", "report.pdf"),
     ("fac tura\x00\x1b niño.pdf", "fac_tura_niño.pdf"), ("...", "file"), ("a" * 300 + ".pdf", "a" * 116 + ".pdf")],
)
def test_file_names_lose_directories_control_characters_and_excess(raw, safe):
    assert safe_filename(raw) == safe


def test_sniffing_ignores_what_the_sender_claims():
    assert sniff(b"MZ") == "executable"
    assert sniff(PDF) == "pdf"
    assert sniff("plain ütf-8 text".encode()) == "text"


def test_a_stored_attachment_goes_through_the_storage_api(ticket, settings):
    stored = attachment_store(ticket=ticket, file=check_file(name="r.pdf", data=PDF))
    assert stored.file.name.startswith("attachments/") and stored.file.name.endswith(".pdf")
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == PDF
    assert stored.size == len(PDF)


# --- downloads -----------------------------------------------------------------------------------


@pytest.fixture
def public_file(ticket, agent):
    message = services.message_add(ticket=ticket, body="See attached", author_user=agent)
    return attachment_store(ticket=ticket, message=message, file=check_file(name="guide.pdf", data=PDF))


@pytest.fixture
def note_file(ticket, agent):
    note = services.message_add(ticket=ticket, body="internal", author_user=agent, kind=Message.Kind.NOTE)
    return attachment_store(ticket=ticket, message=note, file=check_file(name="internal.pdf", data=PDF))


def assert_safe_download(response, filename):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_customer_downloads_a_public_file_as_an_attachment(client, customer_user, public_file):
    client.force_login(customer_user)
    response = client.get(reverse("tickets:attachment", args=[public_file.pk]))
    assert_safe_download(response, "guide.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_text_file_is_served_as_plain_text_for_download_never_as_html(client, customer_user, ticket):
    stored = attachment_store(ticket=ticket, file=check_file(name="log.txt", data=b"hello"))
    client.force_login(customer_user)
    response = client.get(reverse("tickets:attachment", args=[stored.pk]))
    assert_safe_download(response, "log.txt")
    assert response["Content-Type"].startswith("text/plain")


def test_a_non_ascii_file_name_survives_the_download_header(client, customer_user, ticket):
    stored = attachment_store(ticket=ticket, file=check_file(name="factura niño.pdf", data=PDF))
    client.force_login(customer_user)
    response = client.get(reverse("tickets:attachment", args=[stored.pk]))
    assert "filename*=utf-8''factura_ni%C3%B1o.pdf" in response["Content-Disposition"]


def test_the_follow_link_downloads_the_ticket_s_public_files(client, ticket, public_file):
    url = reverse("tickets:follow_attachment", args=[follow_token_for(ticket), public_file.pk])
    assert_safe_download(client.get(url), "guide.pdf")


def test_files_of_internal_notes_never_reach_the_customer(client, customer_user, ticket, note_file):
    client.force_login(customer_user)
    assert client.get(reverse("tickets:attachment", args=[note_file.pk])).status_code == 404
    client.logout()
    url = reverse("tickets:follow_attachment", args=[follow_token_for(ticket), note_file.pk])
    assert client.get(url).status_code == 404


def test_staff_of_the_ticket_s_team_download_note_files(client, agent, note_file):
    client.force_login(agent)
    assert_safe_download(client.get(reverse("tickets:attachment", args=[note_file.pk])), "internal.pdf")


def test_another_customer_or_another_team_gets_404(client, public_file):
    other_customer = factories.user_with_role("customer")
    other_agent = factories.agent_in(factories.TeamFactory())
    for user in (other_customer, other_agent):
        client.force_login(user)
        assert client.get(reverse("tickets:attachment", args=[public_file.pk])).status_code == 404


def test_a_follow_link_of_another_ticket_does_not_open_this_file(client, queue, public_file):
    other = factories.TicketFactory(queue=queue)
    url = reverse("tickets:follow_attachment", args=[follow_token_for(other), public_file.pk])
    assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, public_file):
    response = client.get(reverse("tickets:attachment", args=[public_file.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_file_missing_from_storage_answers_404_not_500(client, customer_user, public_file):
    public_file.file.storage.delete(public_file.file.name)
    client.force_login(customer_user)
    assert client.get(reverse("tickets:attachment", args=[public_file.pk])).status_code == 404
