"""Resolving without a follow-up: tickets carry the agent's reason and nothing more. The app that follows
up a resolution (feedback's survey) decides what the reason means, and gives the words the ticket page, the
list's bulk bar and the API show (`tickets.follow_up`); without such an app there is no choice to offer."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from tickets import events, follow_up, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
S = Ticket.Status

QUIET = follow_up.FollowUpWords(
    label="Close quietly, because…", help_one="Only when resolving (one).", help_many="Only when resolving (many).",
    api_field="quiet_reason", api_help="With `resolved`: close quietly.",
)


@pytest.fixture
def nobody_follows_up(monkeypatch):
    monkeypatch.setattr(follow_up, "_words", None)


@pytest.fixture
def quiet_words(monkeypatch):
    monkeypatch.setattr(follow_up, "_words", None)
    follow_up.register(QUIET)


@pytest.fixture
def changing():
    received = []

    def receiver(sender, changes=(), **payload):
        received.extend(changes)

    events.ticket_statuses_changing.connect(receiver, dispatch_uid="test.follow_up.changing")
    yield received
    events.ticket_statuses_changing.disconnect(dispatch_uid="test.follow_up.changing")


def _page(client, agent, ticket) -> str:
    client.force_login(agent)
    return client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()


def test_tickets_code_never_speaks_of_surveys():
    root = Path(settings.BASE_DIR)
    files = [*(root / "tickets").rglob("*.py"), *(root / "templates" / "tickets").rglob("*.html")]
    assert files
    assert [str(path.relative_to(root)) for path in files if "survey" in path.read_text().lower()] == []


def test_a_resolution_carries_the_agents_no_follow_up_reason(ticket, agent, changing):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent,
                               no_follow_up_reason="  Customer asked not to be emailed ")
    assert [(c.to_status, c.no_follow_up_reason, c.no_follow_up) for c in changing] == [
        (S.RESOLVED, "Customer asked not to be emailed", True)]


def test_a_no_follow_up_reason_given_with_another_status_is_not_carried(ticket, agent, changing):
    services.ticket_transition(ticket=ticket, to_status=S.PENDING, actor=agent, no_follow_up_reason="spam")
    services.tickets_transition(ticket_ids=[ticket.pk], to_status=S.OPEN, actor=agent, no_follow_up_reason="spam")
    assert [(c.to_status, c.no_follow_up) for c in changing] == [(S.PENDING, False), (S.OPEN, False)]


def test_a_many_ticket_resolution_carries_the_reason_on_every_change(queue, agent, changing):
    from tests.factories import TicketFactory

    first, second = TicketFactory(queue=queue), TicketFactory(queue=queue)
    services.tickets_transition(ticket_ids=[first.pk, second.pk], to_status=S.RESOLVED, actor=agent,
                                no_follow_up_reason="duplicate")
    assert sorted((c.ticket_id, c.no_follow_up_reason) for c in changing) == [
        (first.pk, "duplicate"), (second.pk, "duplicate")]


def test_the_ticket_page_shows_the_words_of_the_app_that_follows_up(quiet_words, client, agent, ticket):
    page = _page(client, agent, ticket)
    assert 'name="no_follow_up_reason"' in page
    assert "Close quietly, because…" in page and "Only when resolving (one)." in page


def test_the_ticket_page_offers_no_such_choice_when_no_app_follows_up(nobody_follows_up, client, agent, ticket):
    assert 'name="no_follow_up_reason"' not in _page(client, agent, ticket)


def test_the_bulk_bar_offers_no_such_choice_when_no_app_follows_up(nobody_follows_up, client, agent, ticket):
    client.force_login(agent)
    page = client.get(reverse("tickets:list")).content.decode()
    assert 'name="tickets"' in page or "bulk-form" in page
    assert "no_follow_up_reason" not in page


def test_the_api_field_has_the_name_the_following_app_gives_it(quiet_words, agent, ticket, changing):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.patch(reverse("api-tickets-detail", args=[ticket.reference]),
                         {"version": ticket.version, "status": "resolved", "quiet_reason": "internal test"},
                         format="json")
    assert response.status_code == 200, response.content
    assert [c.no_follow_up_reason for c in changing] == ["internal test"]


def test_the_api_refuses_the_field_when_no_app_follows_up(nobody_follows_up, agent, ticket):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post(reverse("api-tickets-bulk-status"),
                        {"references": [ticket.reference], "status": "resolved", "skip_survey_reason": "spam"},
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"skip_survey_reason": ["Unknown field."]}
