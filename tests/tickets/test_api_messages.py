"""The ticket conversation over the API: /api/v1/tickets/{reference}/messages/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import factories
from tickets import services
from tickets.models import Message, Ticket

S = Ticket.Status


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def messages_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.reference}/messages/"


def _note(ticket, agent, body="internal: customer is a reseller"):
    return services.message_add(ticket=ticket, body=body, kind=Message.Kind.NOTE, author_user=agent)


def _reply(ticket, agent, body="Try turning it off and on again."):
    return services.message_add(ticket=ticket, body=body, author_user=agent)


def test_staff_list_replies_and_internal_notes_oldest_first(agent, ticket):
    reply, note = _reply(ticket, agent), _note(ticket, agent)
    response = client_for(agent).get(messages_url(ticket))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [m["id"] for m in results] == [reply.pk, note.pk]
    assert results[1]["kind"] == "note"
    assert results[0]["author"] == {"name": agent.get_full_name(), "is_staff": True}


def test_customer_lists_public_replies_only(agent, ticket, customer_user):
    reply = _reply(ticket, agent)
    _note(ticket, agent)
    response = client_for(customer_user).get(messages_url(ticket))
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [reply.pk]
    assert "reseller" not in response.content.decode()


def test_customer_reply_is_recorded_as_the_customers(customer_user, ticket):
    response = client_for(customer_user).post(messages_url(ticket), {"body": "Still broken."}, format="json")
    assert response.status_code == 201, response.json()
    message = Message.objects.get(pk=response.json()["id"])
    assert message.author_customer == customer_user.customer
    assert message.author_user is None
    assert message.channel == Ticket.Channel.API
    assert response.json()["author"] == {"name": customer_user.customer.name, "is_staff": False}


def test_customer_reply_does_not_count_as_first_response(customer_user, ticket):
    client_for(customer_user).post(messages_url(ticket), {"body": "Any news?"}, format="json")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_customer_reply_reopens_a_resolved_ticket(agent, customer_user, ticket):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    response = client_for(customer_user).post(messages_url(ticket), {"body": "It broke again."}, format="json")
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (S.OPEN, 1)


def test_customer_cannot_write_an_internal_note(customer_user, ticket):
    response = client_for(customer_user).post(messages_url(ticket), {"body": "x", "kind": "note"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Message.objects.exists()


def test_staff_note_is_not_shown_to_the_customer(agent, customer_user, ticket):
    response = client_for(agent).post(messages_url(ticket), {"body": "VIP, be nice", "kind": "note"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert client_for(customer_user).get(messages_url(ticket)).json()["count"] == 0


def test_staff_first_reply_opens_a_new_ticket_and_sets_first_response(agent, ticket):
    response = client_for(agent).post(messages_url(ticket), {"body": "On it."}, format="json")
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert ticket.first_response_at is not None


def test_message_on_a_closed_ticket_is_refused_with_a_code(agent, customer_user, ticket):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    response = client_for(customer_user).post(messages_url(ticket), {"body": "Hello?"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "ticket_closed"


def test_message_needs_a_body(agent, ticket):
    response = client_for(agent).post(messages_url(ticket), {"body": ""}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_messages_of_another_customers_ticket_answer_404(queue, ticket):
    stranger = factories.user_with_role("customer")
    assert client_for(stranger).get(messages_url(ticket)).status_code == 404
    response = client_for(stranger).post(messages_url(ticket), {"body": "hi"}, format="json")
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_message_list_query_count_stays_flat_as_messages_grow(agent, ticket, customer_user):
    counts = []
    for batch in (3, 22):
        for i in range(batch):
            _reply(ticket, agent, body=f"reply {i}")
            services.message_add(ticket=ticket, body=f"customer {i}", author_customer=ticket.customer)
        with CaptureQueriesContext(connection) as captured:
            response = client_for(type(agent).objects.get(pk=agent.pk)).get(messages_url(ticket))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_message_lists_its_attachments_with_a_download_link(agent, ticket, customer_user):
    from django.core.files.base import ContentFile

    from tickets.models import Attachment

    reply = _reply(ticket, agent)
    Attachment.objects.create(ticket=ticket, message=reply, file=ContentFile(b"%PDF-1.4", name="invoice.pdf"),
                              filename="invoice.pdf", content_type="application/pdf", size=8)
    (message,) = client_for(customer_user).get(messages_url(ticket)).json()["results"]
    (attachment,) = message["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("invoice.pdf", 8)
    browser = APIClient()
    browser.force_login(customer_user)
    download = browser.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == b"%PDF-1.4"
