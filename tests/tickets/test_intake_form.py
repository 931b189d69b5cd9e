"""The public support form: no login, a ticket and a confirmation, and every bad input answered
field by field with nothing the customer typed lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Customer
from tickets.models import Attachment, NotificationLog, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
URL = "/support/"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def valid(**overrides):
    data = {"name": "Mari Tamm", "email": "mari@example.ee", "subject": "Parcel missing",
            "description": "My order 4521 never arrived.", "website": ""}
    data.update(overrides)
    return data


def test_the_form_is_public_and_has_a_csrf_token(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b'name="website"' in response.content  # the honeypot, hidden by a CSS class


def test_sending_the_form_opens_a_web_ticket_and_shows_the_reference(client, queue):
    response = client.post(URL, valid(), follow=True)
    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert ticket.reference in response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("tickets:support_thanks"))
    assert (ticket.subject, ticket.channel, ticket.customer.email) == ("Parcel missing", "web", "mari@example.ee")
    assert ticket.description == "My order 4521 never arrived."


def test_the_customer_is_found_by_email_whatever_its_case(client, queue):
    existing = Customer.objects.create(name="Mari", email="Mari@Example.ee")
    client.post(URL, valid(email="mari@example.ee"))
    assert Ticket.objects.get().customer == existing


def test_a_new_customer_gets_the_language_of_the_page(client, queue):
    client.cookies["django_language"] = "nl"
    client.post(URL, valid())
    assert Customer.objects.get().language == "nl"
    assert Ticket.objects.get().language == "nl"


def test_the_confirmation_is_scheduled_after_commit(client, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid())
    log = NotificationLog.objects.get()
    assert (log.kind, log.ticket) == (NotificationLog.Kind.CONFIRMATION, Ticket.objects.get())


def test_a_valid_attachment_is_stored_with_the_ticket(client, queue):
    client.post(URL, valid(attachment=SimpleUploadedFile("receipt.pdf", PDF, content_type="text/html")))
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == ("receipt.pdf", "application/pdf",
                                                                               len(PDF))
    assert attachment.message is None and attachment.ticket == Ticket.objects.get()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "", "This field is required."),
        ("subject", "   ", "This field is required."),
        ("description", "hey", "Please tell us a little more"),
        ("description", "x" * 20001, "This text is 20,001 characters long; the limit is 20,000."),
    ],
)
def test_each_bad_field_gets_its_own_message_and_the_form_comes_back_filled_in(client, queue, field, value,
                                                                                message):
    data = valid(**{field: value})
    response = client.post(URL, data)
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    html = response.content.decode()
    for name, typed in data.items():
        if name not in (field, "website") and name != "description":
            assert f'value="{typed}"' in html
    if field != "description":
        assert data["description"] in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + bytes(100), "contains a program or web page"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "contains a program or web page"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "cannot be attached"),
        ("photo.png", PDF, "is not really a .png file"),
        ("empty.pdf", b"", "The submitted file is empty."),
        ("setup.exe", b"MZ" + bytes(10), "files of type “.exe” cannot be attached"),
    ],
)
def test_a_refused_attachment_is_explained_and_the_rest_is_kept(client, queue, name, content, message):
    data = valid(attachment=SimpleUploadedFile(name, content, content_type="application/pdf"))
    response = client.post(URL, data)
    assert response.status_code == 200
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert message in response.context["form"].errors["attachment"][0]
    assert "Parcel missing" in response.content.decode()


def test_an_attachment_over_the_size_limit_is_refused(client, queue, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = client.post(URL, valid(attachment=SimpleUploadedFile("big.pdf", PDF + bytes(2000))))
    assert "files may be at most 1000" in response.context["form"].errors["attachment"][0]
    assert not Ticket.objects.exists()


def test_the_customer_is_asked_to_choose_the_file_again_when_another_field_was_wrong(client, queue):
    response = client.post(URL, valid(email="nope", attachment=SimpleUploadedFile("receipt.pdf", PDF)))
    assert response.context["choose_file_again"] is True
    assert "choose your attachment again" in response.content.decode()


def test_a_filled_honeypot_creates_nothing_but_looks_like_success(client, queue):
    response = client.post(URL, valid(website="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert not Ticket.objects.exists() and not Customer.objects.exists()
    assert "Thank you" in response.content.decode()


def test_the_form_is_rate_limited_per_ip_keeping_what_was_typed(client, queue, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        client.post(URL, valid(email=f"person{n}@example.com"))
    response = client.post(URL, valid(email="third@example.com", description="Third request, still here."))
    assert response.status_code == 429
    assert Ticket.objects.count() == 2
    assert "Third request, still here." in response.content.decode()
    assert "many times" in response.content.decode()


def test_the_form_is_rate_limited_per_email_address_across_ips(client, queue, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        client.post(URL, valid(email=" Mari@Example.ee "), REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post(URL, valid(email="mari@example.ee"), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert Ticket.objects.count() == 2


def test_another_person_is_not_limited_by_someone_else_s_requests(client, queue, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        client.post(URL, valid(email="mari@example.ee"), REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post(URL, valid(email="jan@example.nl"), REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 302


def test_a_tampered_thank_you_link_shows_no_reference(client, queue):
    response = client.get(reverse("tickets:support_thanks") + "?r=DD-1001:forged")
    assert response.status_code == 200
    assert response.context["reference"] is None
