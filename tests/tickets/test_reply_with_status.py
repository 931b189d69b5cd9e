"""A message and the status change sent with it: the concurrency rule of services.message_add.

Messages append, so a message alone is accepted whatever version the sender last read; a status
change sent with it is refused (StaleTicket) when stale, and then the message with it.
"""

import pytest
from rest_framework.test import APIClient

from helpdesk.errors import DomainError
from tickets import services
from tickets.exceptions import IllegalTransition, StaleTicket
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _messages_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.reference}/messages/"


def _changed_meanwhile(ticket, agent) -> int:
    """Someone else changes the ticket after the sender read version `v`; returns `v`."""
    read = ticket.version
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, priority="urgent")
    return read


def test_message_alone_from_a_stale_version_is_accepted(ticket, agent):
    read = _changed_meanwhile(ticket, agent)
    message = services.message_add(ticket=ticket, body="Still here", author_user=agent, expected_version=read)
    assert Message.objects.filter(pk=message.pk).exists()


def test_status_change_with_a_stale_version_is_refused_with_the_message(ticket, agent):
    read = _changed_meanwhile(ticket, agent)
    with pytest.raises(StaleTicket):
        services.message_add(ticket=ticket, body="Done", author_user=agent, expected_version=read, status="resolved")
    assert not ticket.messages.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_status_change_with_the_current_version_is_applied_after_the_message(ticket, agent):
    message = services.message_add(ticket=ticket, body="Solved", author_user=agent,
                                   expected_version=ticket.version, status="resolved")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == "resolved" and stored.first_response_at == message.created_at
    assert ticket.events.filter(kind="status", from_value="new", to_value="resolved", actor=agent).exists()


def test_illegal_status_sent_with_a_message_refuses_both(ticket, agent):
    with pytest.raises(IllegalTransition):
        services.message_add(ticket=ticket, body="Hm", author_user=agent, expected_version=ticket.version,
                             status="closed")
    assert not ticket.messages.exists()


def test_customers_cannot_change_the_status_with_a_reply(ticket):
    with pytest.raises(DomainError):
        services.message_add(ticket=ticket, body="close it", author_customer=ticket.customer, status="resolved")
    assert not ticket.messages.exists()


def test_api_reply_with_a_stale_version_and_a_status_answers_409_and_writes_nothing(ticket, agent):
    read = _changed_meanwhile(ticket, agent)
    response = _api(agent).post(_messages_url(ticket), {"body": "Done", "status": "resolved", "version": read},
                                format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_ticket"
    assert not ticket.messages.exists()


def test_api_reply_alone_with_a_stale_version_is_accepted(ticket, agent):
    read = _changed_meanwhile(ticket, agent)
    response = _api(agent).post(_messages_url(ticket), {"body": "Answer", "version": read}, format="json")
    assert response.status_code == 201
    assert ticket.messages.get().body == "Answer"


def test_api_reply_with_a_status_and_the_current_version_applies_it(ticket, agent):
    response = _api(agent).post(_messages_url(ticket), {"body": "Waiting on you", "status": "pending",
                                                        "version": ticket.version}, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"


def test_api_status_without_a_version_is_refused(ticket, agent):
    response = _api(agent).post(_messages_url(ticket), {"body": "x", "status": "pending"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]
    assert not ticket.messages.exists()


def test_api_customer_cannot_send_a_status(ticket, customer_user):
    response = _api(customer_user).post(_messages_url(ticket), {"body": "x", "status": "resolved", "version": 1},
                                        format="json")
    assert response.status_code == 403
    assert not ticket.messages.exists()


def test_web_reply_form_offers_only_legal_next_statuses(client, agent, ticket):
    client.force_login(agent)
    response = client.get(f"/tickets/{ticket.reference}/")
    offered = [value for value, _label in response.context["reply_form"].fields["status"].widget.choices]
    assert offered == ["", "open", "pending", "resolved"]
