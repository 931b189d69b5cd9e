"""The reply box keeps the mode the agent last used on a ticket (an internal note stays a note), and a
public reply looks and reads differently from a note."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def _url(name, ticket):
    return reverse(f"tickets:{name}", args=[ticket.reference])


def _checked_kind(html: str) -> str:
    """The value of the checked kind radio of the reply box."""
    radios = re.findall(r'<input[^>]*name="kind"[^>]*>', html)
    checked = [re.search(r'value="(\w+)"', r).group(1) for r in radios if " checked" in r]
    assert len(checked) == 1, radios
    return checked[0]


def _send(client, ticket, kind: str, body: str = "Text", **headers):
    ticket.refresh_from_db()
    return client.post(_url("reply", ticket), {"version": ticket.version, "kind": kind, "body": body}, **headers)


def test_new_ticket_page_starts_on_public_reply(agent_client, ticket):
    assert _checked_kind(agent_client.get(_url("detail", ticket)).content.decode()) == Message.Kind.REPLY


def test_after_a_note_the_refreshed_reply_box_is_still_on_internal_note(agent_client, ticket):
    response = _send(agent_client, ticket, "note", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket")
    assert "Note added." in response.content.decode()
    assert _checked_kind(response.content.decode()) == Message.Kind.NOTE


def test_after_a_note_the_reloaded_page_is_still_on_internal_note(agent_client, ticket):
    response = _send(agent_client, ticket, "note")
    assert response.status_code == 302
    assert _checked_kind(agent_client.get(_url("detail", ticket)).content.decode()) == Message.Kind.NOTE


def test_after_a_public_reply_the_box_is_back_on_public_reply(agent_client, ticket):
    _send(agent_client, ticket, "note")
    _send(agent_client, ticket, "reply")
    assert _checked_kind(agent_client.get(_url("detail", ticket)).content.decode()) == Message.Kind.REPLY


def test_the_mode_is_remembered_per_ticket(agent_client, ticket, queue):
    other = factories.TicketFactory(queue=queue)
    _send(agent_client, ticket, "note")
    assert _checked_kind(agent_client.get(_url("detail", other)).content.decode()) == Message.Kind.REPLY
    assert _checked_kind(agent_client.get(_url("detail", ticket)).content.decode()) == Message.Kind.NOTE


def test_other_actions_keep_the_note_mode(agent_client, ticket):
    _send(agent_client, ticket, "note")
    ticket.refresh_from_db()
    response = agent_client.post(_url("tags", ticket), {"version": ticket.version, "tags": "vip"},
                                 HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket")
    assert _checked_kind(response.content.decode()) == Message.Kind.NOTE


def _reply_form(html: str) -> str:
    return html.split('class="card card-body ws-reply', 1)[1].split("</form>", 1)[0]


def test_reply_box_says_who_reads_each_mode_and_names_its_button_after_it(agent_client, ticket):
    form = _reply_form(agent_client.get(_url("detail", ticket)).content.decode())
    assert "The customer receives this by email" in form
    assert "Only staff see this" in form
    # One submit button whose visible words follow the mode (CSS shows one of the two).
    assert re.search(r'<button[^>]*name="send"[^>]*>.*Send to customer.*Add internal note.*</button>', form, re.S)
