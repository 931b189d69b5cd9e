"""The private follow page (signed link, no account), fresh links, and a logged-in customer's pages."""

import re
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Message, Ticket
from tickets.tokens import FOLLOW_SALT, follow_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PDF = b"%PDF-1.4\n%%EOF\n"


def follow_url(ticket):
    return reverse("tickets:follow", args=[follow_token_for(ticket)])


@pytest.fixture
def conversation(ticket, agent):
    services.message_add(ticket=ticket, body="Public answer from the desk", author_user=agent)
    services.message_add(ticket=ticket, body="SECRET internal note", author_user=agent, kind=Message.Kind.NOTE)
    services.message_add(ticket=ticket, body="Thanks from the customer", author_customer=ticket.customer)
    return ticket


def test_the_follow_page_shows_the_status_and_the_public_timeline(client, conversation):
    response = client.get(follow_url(conversation))
    html = response.content.decode()
    assert response.status_code == 200
    assert conversation.reference in html and conversation.subject in html
    assert "Public answer from the desk" in html and "Thanks from the customer" in html
    assert "Open" in html  # the status after the agent's first reply


def test_internal_notes_never_appear_on_the_follow_page(client, conversation):
    assert "SECRET internal note" not in client.get(follow_url(conversation)).content.decode()


def test_the_follow_page_includes_the_feedback_hook(client, ticket, settings):
    response = client.get(follow_url(ticket))
    assert "feedback/_follow_panel.html" in [t.name for t in response.templates]


def test_user_text_on_the_follow_page_is_escaped(client, ticket):
    services.message_add(ticket=ticket, body="<script>alert(1)</script>", author_customer=ticket.customer)
    html = client.get(follow_url(ticket)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_tampered_link_answers_404_with_a_fresh_link_form(client, ticket):
    token = follow_token_for(ticket)
    response = client.get(reverse("tickets:follow", args=[token[:-2] + "xy"]))
    assert response.status_code == 404
    assert "Send me a fresh link" in response.content.decode()


def test_a_link_for_another_customer_s_ticket_cannot_be_forged(client, ticket, queue):
    other = factories.TicketFactory(queue=queue)
    forged = signing.dumps({"t": other.pk, "c": ticket.customer_id}, salt=FOLLOW_SALT, compress=True)
    assert client.get(reverse("tickets:follow", args=[forged])).status_code == 404


def follow_token_signed_days_ago(ticket, days: int) -> str:
    """A real follow token (as tickets.tokens signs it) whose timestamp is `days` in the past."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return PastSigner(salt=FOLLOW_SALT).sign_object({"t": ticket.pk, "c": ticket.customer_id}, compress=True)


def test_a_link_signed_just_inside_its_lifetime_still_opens(client, ticket, settings):
    token = follow_token_signed_days_ago(ticket, settings.TICKET_LINK_MAX_AGE_DAYS - 1)
    assert client.get(reverse("tickets:follow", args=[token])).status_code == 200


def test_an_expired_link_answers_410_with_a_fresh_link_form(client, ticket, settings):
    token = follow_token_signed_days_ago(ticket, settings.TICKET_LINK_MAX_AGE_DAYS + 1)
    response = client.get(reverse("tickets:follow", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_customer_replies_from_the_follow_page(client, ticket):
    url = follow_url(ticket)
    response = client.post(url, {"body": "Here is the receipt", "attachment": SimpleUploadedFile("r.pdf", PDF)})
    assert response.status_code == 302 and response["Location"] == url
    message = ticket.messages.get()
    assert (message.body, message.author_customer, message.kind) == ("Here is the receipt", ticket.customer, "reply")
    assert message.attachments.get().filename == "r.pdf"


def test_a_reply_to_a_resolved_ticket_reopens_it(client, ticket):
    services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=None)
    client.post(follow_url(ticket), {"body": "It is broken again"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_an_empty_reply_is_refused_with_a_message(client, ticket):
    response = client.post(follow_url(ticket), {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.context["reply_form"].errors["body"][0]
    assert not ticket.messages.exists()


def test_a_reply_with_a_refused_file_keeps_the_text(client, ticket):
    response = client.post(follow_url(ticket), {"body": "Look at this",
                                                "attachment": SimpleUploadedFile("x.html", b"<html></html>")})
    assert response.status_code == 400
    assert "Look at this" in response.content.decode()
    assert not ticket.messages.exists()


def test_a_closed_ticket_shows_no_reply_form_and_refuses_replies(client, ticket):
    services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=None)
    services.ticket_transition(ticket=ticket, to_status=Ticket.Status.CLOSED, actor=None)
    page = client.get(follow_url(ticket))
    assert page.context["can_reply"] is False
    assert "Open a new request" in page.content.decode()
    response = client.post(follow_url(ticket), {"body": "Hello?"})
    assert response.status_code == 400
    assert "closed" in str(response.context["reply_form"].non_field_errors())
    assert not ticket.messages.exists()


def test_the_follow_page_query_count_does_not_grow_with_the_conversation(client, ticket, agent,
                                                                        django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            message = services.message_add(ticket=ticket, body=f"reply {i}", author_user=agent)
            factories_attachment(ticket, message)

    add(2)
    url = follow_url(ticket)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def factories_attachment(ticket, message):
    from tickets.attachments import attachment_store, check_file

    attachment_store(ticket=ticket, message=message, file=check_file(name="a.pdf", data=PDF))


# --- fresh links -----------------------------------------------------------------------------------


def test_asking_for_a_fresh_link_answers_the_same_for_known_and_unknown_addresses(
        client, ticket, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from helpdesk.celery import app

    app.conf.task_always_eager = True
    try:  # the request's outbox row is sent after its commit
        with django_capture_on_commit_callbacks(execute=True):
            known = client.post(reverse("tickets:fresh_link"), {"email": ticket.customer.email.upper()})
        with django_capture_on_commit_callbacks(execute=True):
            unknown = client.post(reverse("tickets:fresh_link"), {"email": "nobody@example.com"})
    finally:
        app.conf.task_always_eager = False
    assert known.status_code == unknown.status_code == 200
    without_tokens = [re.sub(rb"[A-Za-z0-9]{32,}", b"", r.content) for r in (known, unknown)]
    assert without_tokens[0] == without_tokens[1]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ticket.customer.email]
    path = follow_url(ticket).split("/t/")[0]
    assert f"{path}/t/" in mailoutbox[0].body


def test_fresh_link_requests_are_rate_limited(client, db, settings):
    settings.PUBLIC_FORM_RATE = "1/h"
    client.post(reverse("tickets:fresh_link"), {"email": "a@example.com"})
    assert client.post(reverse("tickets:fresh_link"), {"email": "b@example.com"}).status_code == 429


def test_a_bad_address_for_a_fresh_link_gets_a_message(client, db):
    response = client.post(reverse("tickets:fresh_link"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


# --- logged-in customers ----------------------------------------------------------------------


def test_my_tickets_lists_only_my_own_tickets(client, customer_user, ticket, queue):
    other = factories.TicketFactory(queue=queue, subject="Someone else's problem")
    client.force_login(customer_user)
    html = client.get(reverse("tickets:my_tickets")).content.decode()
    assert ticket.subject in html
    assert other.subject not in html


def test_my_tickets_filters_open_and_done(client, customer_user, customer, queue):
    open_one = factories.TicketFactory(queue=queue, customer=customer, subject="Still open")
    done = factories.TicketFactory(queue=queue, customer=customer, subject="All done")
    services.ticket_transition(ticket=done, to_status=Ticket.Status.RESOLVED, actor=None)
    client.force_login(customer_user)
    open_page = client.get(reverse("tickets:my_tickets") + "?status=open").content.decode()
    done_page = client.get(reverse("tickets:my_tickets") + "?status=done").content.decode()
    assert open_one.subject in open_page and done.subject not in open_page
    assert done.subject in done_page and open_one.subject not in done_page


def test_my_tickets_query_count_stays_flat_as_tickets_grow(client, customer_user, customer, queue,
                                                          django_assert_max_num_queries):
    factories.TicketFactory(queue=queue, customer=customer)
    client.force_login(customer_user)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("tickets:my_tickets"))
    for _ in range(30):
        factories.TicketFactory(queue=queue, customer=customer)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("tickets:my_tickets"))
    assert response.context["page"].paginator.count == 31


def test_my_ticket_page_shows_the_public_timeline_without_notes(client, customer_user, conversation):
    client.force_login(customer_user)
    html = client.get(reverse("tickets:my_ticket", args=[conversation.reference])).content.decode()
    assert "Public answer from the desk" in html
    assert "SECRET internal note" not in html


def test_another_customer_s_ticket_answers_404(client, customer_user, queue):
    other = factories.TicketFactory(queue=queue)
    client.force_login(customer_user)
    assert client.get(reverse("tickets:my_ticket", args=[other.reference])).status_code == 404
    assert client.post(reverse("tickets:my_ticket", args=[other.reference]), {"body": "hi"}).status_code == 404
    assert not other.messages.exists()


def test_a_logged_in_customer_replies_on_their_ticket(client, customer_user, ticket):
    client.force_login(customer_user)
    url = reverse("tickets:my_ticket", args=[ticket.reference])
    assert client.post(url, {"body": "Any news?"}).status_code == 302
    assert ticket.messages.get().author_customer == ticket.customer


@pytest.mark.parametrize("reference", ["DD-1%00", "A" * 300, "%FF", "DD-1'--"])
def test_a_malformed_reference_in_my_ticket_url_answers_404(client, customer_user, reference):
    client.force_login(customer_user)
    assert client.get(f"/my/tickets/{reference}/").status_code == 404


@pytest.mark.parametrize("token", ["%00", "x" * 5000, "a:b:c", "%FF%FE"])
def test_a_malformed_follow_token_answers_404(client, db, token):
    assert client.get(f"/t/{token}/").status_code == 404
    assert client.get(f"/t/{token}/files/1/").status_code == 404


def test_replies_through_one_link_are_rate_limited_keeping_the_text(client, ticket, settings):
    settings.FOLLOW_REPLY_RATE = "2/h"
    url = follow_url(ticket)
    for n in range(2):
        assert client.post(url, {"body": f"reply {n}"}).status_code == 302
    response = client.post(url, {"body": "third reply, kept"})
    assert response.status_code == 429  # like every other limit (it answered 400)
    assert "third reply, kept" in response.content.decode()
    assert "many times" in response.content.decode()
    assert ticket.messages.count() == 2
