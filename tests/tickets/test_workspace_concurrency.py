"""Two agents on one ticket: the second save is refused with a reload message, nothing is overwritten."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

RELOAD = "Someone else changed this ticket in the meantime. Reload it and try again."


@pytest.fixture
def two_agents(agent, team):
    first, second = Client(), Client()
    first.force_login(agent)
    second.force_login(factories.agent_in(team))
    return first, second


def _url(name, ticket):
    return reverse(f"tickets:{name}", args=[ticket.reference])


def _form_version(client, ticket) -> int:
    """The version the agent's open page carries in its forms."""
    return client.get(_url("detail", ticket)).context["properties_form"]["version"].value()


def _props(ticket, version, **changes):
    data = {"version": version, "status": ticket.status, "priority": ticket.priority, "kind": ticket.kind,
            "queue": ticket.queue_id, "assignee": ""}
    data.update(changes)
    return data


def test_second_agent_save_is_refused_when_ticket_changed(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    assert first.post(_url("update", ticket), _props(ticket, v1, priority="urgent")).status_code == 302
    response = second.post(_url("update", ticket), _props(ticket, v2, priority="low", status="pending"))
    assert response.status_code == 409
    body = response.content.decode()
    assert RELOAD in body and "Reload the ticket" in body
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == ("urgent", "new")
    assert not ticket.events.filter(to_value="low").exists()


def test_refused_page_shows_the_other_agents_change(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("update", ticket), _props(ticket, v1, priority="urgent"))
    response = second.post(_url("update", ticket), _props(ticket, v2, priority="low"))
    assert response.context["properties_form"]["priority"].value() == "urgent"


def test_reply_from_a_stale_page_is_accepted_because_replies_only_append(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("update", ticket), _props(ticket, v1, priority="urgent"))
    response = second.post(_url("reply", ticket), {"version": v2, "kind": "reply", "body": "My careful answer"})
    assert response.status_code == 302
    assert list(ticket.messages.values_list("body", flat=True)) == ["My careful answer"]
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_stale_reply_with_a_status_change_is_refused_and_the_text_kept(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("reply", ticket), {"version": v1, "kind": "reply", "body": "First answer", "status": "pending"})
    response = second.post(_url("reply", ticket), {"version": v2, "kind": "reply", "body": "My careful answer",
                                                   "status": "resolved"})
    assert response.status_code == 409
    assert RELOAD in response.content.decode()
    assert response.context["reply_form"]["body"].value() == "My careful answer"
    assert response.context["reply_form"]["status"].value() == "resolved"
    assert list(ticket.messages.values_list("body", flat=True)) == ["First answer"]
    ticket.refresh_from_db()
    assert ticket.status == "pending"


def test_reply_with_a_status_change_from_a_current_page_applies_both(two_agents, ticket):
    first, _second = two_agents
    response = first.post(_url("reply", ticket), {"version": _form_version(first, ticket), "kind": "reply",
                                                  "body": "Waiting for your receipt", "status": "pending"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert ticket.messages.get().body == "Waiting for your receipt"


def test_stale_take_does_not_steal_the_ticket(two_agents, agent, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("take", ticket), {"version": v1})
    response = second.post(_url("take", ticket), {"version": v2})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_stale_tags_are_refused_and_the_first_tags_kept(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("tags", ticket), {"version": v1, "tags": "vip"})
    response = second.post(_url("tags", ticket), {"version": v2, "tags": "spam"})
    assert response.status_code == 409
    assert "spam" in response.content.decode()  # what they typed is still in the field
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]


def test_htmx_refusal_is_swapped_in_with_the_reload_message(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("update", ticket), _props(ticket, v1, priority="high"))
    response = second.post(_url("update", ticket), _props(ticket, v2, priority="low"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ticket"') and RELOAD in body


def test_after_the_refusal_a_deliberate_resend_goes_through(two_agents, ticket):
    first, second = two_agents
    v1, v2 = _form_version(first, ticket), _form_version(second, ticket)
    first.post(_url("reply", ticket), {"version": v1, "kind": "reply", "body": "First", "status": "pending"})
    refused = second.post(_url("reply", ticket), {"version": v2, "kind": "reply", "body": "Second",
                                                  "status": "resolved"})
    assert refused.status_code == 409
    fresh_version = refused.context["reply_form"]["version"].value()
    assert second.post(_url("reply", ticket), {"version": fresh_version, "kind": "reply",
                                               "body": "Second", "status": "resolved"}).status_code == 302
    assert ticket.messages.count() == 2
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
