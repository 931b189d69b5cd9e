"""Several attachments per submission (public form, follow page, agent reply, API), each checked as
one file is, and together within a count and a total size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tests.tickets.image_files import image_bytes
from tickets import attachments, services
from tickets.attachments import check_file
from tickets.exceptions import InvalidAttachment
from tickets.models import Attachment, Ticket
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = image_bytes("PNG")  # real images: an image is decoded and written anew before it is stored


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _files(*names_and_data):
    return [SimpleUploadedFile(name, data) for name, data in names_and_data]


def _support_form(**overrides):
    data = {"name": "Mari Tamm", "email": "mari@example.ee", "subject": "Parcel missing",
            "description": "My order 4521 never arrived.", "website": ""}
    data.update(overrides)
    return data


def test_public_form_stores_every_chosen_file(client, queue):
    client.post(reverse("tickets:support"),
                _support_form(attachment=_files(("receipt.pdf", PDF), ("photo.png", PNG))))
    ticket = Ticket.objects.get()
    assert sorted(ticket.attachments.values_list("filename", flat=True)) == ["photo.png", "receipt.pdf"]


def test_one_bad_file_among_several_refuses_the_submission_naming_it(client, queue):
    response = client.post(reverse("tickets:support"),
                           _support_form(attachment=_files(("receipt.pdf", PDF), ("page.html", b"<html>"))))
    assert response.status_code == 200
    assert "page.html" in " ".join(response.context["form"].errors["attachment"])
    assert response.context["form"]["subject"].value() == "Parcel missing"
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused(client, queue, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    response = client.post(reverse("tickets:support"), _support_form(
        attachment=_files(("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF))))
    assert "At most 2 files" in response.context["form"].errors["attachment"][0]
    assert not Ticket.objects.exists()


def test_files_over_the_total_size_are_refused_though_each_is_small_enough(client, queue, settings):
    settings.ATTACHMENT_MAX_TOTAL_BYTES = len(PDF) * 2 - 1
    response = client.post(reverse("tickets:support"), _support_form(
        attachment=_files(("a.pdf", PDF), ("b.pdf", PDF))))
    assert "together they may be at most" in response.context["form"].errors["attachment"][0]
    assert not Ticket.objects.exists()


def test_follow_page_reply_carries_several_files(client, ticket):
    url = reverse("tickets:follow", args=[follow_token_for(ticket)])
    response = client.post(url, {"body": "Both receipts", "attachment": _files(("a.pdf", PDF), ("b.png", PNG))})
    assert response.status_code == 302
    assert sorted(ticket.messages.get().attachments.values_list("filename", flat=True)) == ["a.pdf", "b.png"]


def test_agent_reply_carries_several_files(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:reply", args=[ticket.reference]), {
        "version": ticket.version, "kind": "note", "body": "Logs attached",
        "attachment": _files(("one.txt", b"first log"), ("two.log", b"second log"))})
    assert response.status_code == 302
    note = ticket.messages.get()
    assert (note.kind, sorted(note.attachments.values_list("filename", flat=True))) == (
        "note", ["one.txt", "two.log"])


def test_agent_reply_with_a_disguised_file_is_refused_and_the_text_kept(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:reply", args=[ticket.reference]), {
        "version": ticket.version, "kind": "reply", "body": "See the file",
        "attachment": _files(("invoice.pdf", b"MZ\x90\x00 not a pdf"))})
    assert response.status_code == 400
    assert "invoice.pdf" in response.context["reply_form"].errors["attachment"][0]
    assert response.context["reply_form"]["body"].value() == "See the file"
    assert not ticket.messages.exists()


def test_api_reply_carries_several_files_as_multipart(agent, ticket):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{ticket.reference}/messages/",
                        {"body": "Two files", "attachments": _files(("a.pdf", PDF), ("b.png", PNG))},
                        format="multipart")
    assert response.status_code == 201, response.content
    assert sorted(a["filename"] for a in response.json()["attachments"]) == ["a.pdf", "b.png"]


def test_api_refuses_a_bad_file_with_a_400_naming_it(agent, ticket):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{ticket.reference}/messages/",
                        {"body": "x", "attachments": _files(("a.pdf", PDF), ("x.svg", b"<svg/>"))},
                        format="multipart")
    assert response.status_code == 400
    assert "x.svg" in str(response.json()["errors"]["attachments"])
    assert not ticket.messages.exists()


def test_api_refuses_too_many_files(agent, ticket, settings):
    settings.ATTACHMENT_MAX_FILES = 1
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{ticket.reference}/messages/",
                        {"body": "x", "attachments": _files(("a.pdf", PDF), ("b.pdf", PDF))}, format="multipart")
    assert response.status_code == 400
    assert not ticket.messages.exists()


def test_service_refuses_files_over_the_total_and_stores_nothing(ticket, agent, settings):
    settings.ATTACHMENT_MAX_TOTAL_BYTES = len(PDF)
    files = [check_file(name="a.pdf", data=PDF), check_file(name="b.pdf", data=PDF)]
    with pytest.raises(InvalidAttachment):
        services.message_add(ticket=ticket, body="x", author_user=agent, attachments=files)
    assert not ticket.messages.exists() and not Attachment.objects.exists()


def test_email_keeps_the_files_that_fit_and_reports_the_rest(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [check_file(name=f"{n}.pdf", data=PDF) for n in "abc"]
    kept, left_out = attachments.within_limits(files)
    assert ([f.name for f in kept], [f.name for f in left_out]) == (["a.pdf", "b.pdf"], ["c.pdf"])


def test_agent_page_links_the_files_sent_with_the_form_and_with_messages(client, agent, queue):
    client.post(reverse("tickets:support"), _support_form(attachment=_files(("receipt.pdf", PDF))))
    ticket = Ticket.objects.get()
    ticket.queue = queue
    ticket.save(update_fields=["queue"])
    services.message_add(ticket=ticket, body="logs", kind="note", author_user=agent,
                         attachments=[check_file(name="app.log", data=b"trace")])
    client.force_login(agent)
    html = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    for attachment in Attachment.objects.all():
        assert f'href="{reverse("tickets:attachment", args=[attachment.pk])}"' in html
