"""A message longer than the limit is never cut: the page says the limit (no `maxlength` for the browser
to cut a paste with), and the server refuses the text with a message, everything typed kept."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tickets.models import Message, Ticket
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db

TOO_LONG = ("Long story. " * 2000)[: settings.MESSAGE_MAX_LENGTH - 3] + "END!"  # one character over, ends in a marker


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html)
    assert match, f"no textarea {name}"
    return match.group(0)


def _textarea_text(html: str, name: str) -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_reply_box_says_its_limit_and_has_no_maxlength_to_cut_a_paste(agent_client, ticket):
    html = agent_client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    box = _textarea(html, "body")
    assert "maxlength" not in box
    assert f'data-max-length="{settings.MESSAGE_MAX_LENGTH}"' in box
    assert "At most 20,000 characters." in html


@pytest.mark.parametrize("htmx", [False, True])
def test_overlong_reply_is_refused_with_the_text_kept(agent_client, ticket, htmx):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket"} if htmx else {}
    response = agent_client.post(reverse("tickets:reply", args=[ticket.reference]),
                                 {"version": ticket.version, "kind": "note", "body": TOO_LONG}, **headers)
    html = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert not Message.objects.filter(ticket=ticket).exists()
    assert "the limit is 20,000" in html and "shorten it by 1 character:" in html
    assert _textarea_text(html, "body") == TOO_LONG  # all of it, not cut
    assert 'value="note" checked' in html or re.search(r'value="note"[^>]* checked', html)


def test_message_at_the_limit_is_accepted(agent_client, ticket):
    body = TOO_LONG[:-1]
    agent_client.post(reverse("tickets:reply", args=[ticket.reference]),
                      {"version": ticket.version, "kind": "reply", "body": body})
    assert Message.objects.get(ticket=ticket).body == body


def test_support_form_refuses_an_overlong_description_keeping_every_word(client, queue):
    data = {"name": "Mari Maasikas", "email": "mari@example.ee", "subject": "Long story", "description": TOO_LONG}
    response = client.post(reverse("tickets:support"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "maxlength" not in _textarea(html, "description")
    assert "the limit is 20,000" in html
    assert _textarea_text(html, "description") == TOO_LONG
    assert 'value="Mari Maasikas"' in html and 'value="Long story"' in html


def test_follow_page_refuses_an_overlong_reply_keeping_it(client, queue):
    ticket = factories.TicketFactory(queue=queue)
    url = reverse("tickets:follow", args=[follow_token_for(ticket)])
    response = client.post(url, {"body": TOO_LONG})
    html = response.content.decode()
    assert response.status_code == 400
    assert "maxlength" not in _textarea(html, "body")
    assert _textarea_text(html, "body") == TOO_LONG


def test_phone_ticket_form_says_the_limit_of_the_description(agent_client):
    html = agent_client.get(reverse("tickets:create")).content.decode()
    assert "maxlength" not in _textarea(html, "description")
    assert "At most 20,000 characters." in html
