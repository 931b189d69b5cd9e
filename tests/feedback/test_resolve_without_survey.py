"""An agent resolves one ticket without a survey, giving the reason: on the ticket page and in the API."""

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from feedback.models import Survey
from tests.feedback import helpers as ff
from tests.feedback.helpers import survey_of
from tickets import events as ticket_events
from tickets import services as ticket_services
from tickets.models import Ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
pytestmark = pytest.mark.django_db
ST = Survey.State


def properties(ticket, **changes) -> dict:
    data = {"version": ticket.version, "status": ticket.status, "priority": ticket.priority, "kind": ticket.kind,
            "queue": ticket.queue_id, "assignee": ticket.assignee_id or ""}
    return {**data, **changes}


def test_resolving_on_the_ticket_page_with_a_reason_skips_the_survey_and_keeps_the_words(client, agent, ticket):
    client.force_login(agent)
    client.post(reverse("tickets:update", args=[ticket.reference]),
                properties(ticket, status="resolved", no_follow_up_reason="Customer asked not to be emailed"))
    survey = survey_of(ticket)
    assert (survey.state, survey.skip_reason, survey.skip_note) == (
        ST.SKIPPED, Survey.SkipReason.AGENT, "Customer asked not to be emailed"
    )


def test_resolving_on_the_ticket_page_without_a_reason_schedules_the_survey(client, agent, ticket):
    client.force_login(agent)
    client.post(reverse("tickets:update", args=[ticket.reference]),
                properties(ticket, status="resolved", no_follow_up_reason="  "))
    assert survey_of(ticket).state == ST.SCHEDULED


def test_a_reason_given_with_another_status_is_ignored(client, agent, ticket):
    client.force_login(agent)
    client.post(reverse("tickets:update", args=[ticket.reference]),
                properties(ticket, status="pending", no_follow_up_reason="spam"))
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent)
    assert survey_of(ticket).state == ST.SCHEDULED


def test_the_ticket_page_offers_the_reason_only_when_the_ticket_can_be_resolved(client, agent, ticket):
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert 'name="no_follow_up_reason"' in page
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert 'name="no_follow_up_reason"' not in page


def test_resolving_through_the_api_with_a_reason_skips_the_survey(agent, ticket):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.patch(reverse("api-tickets-detail", args=[ticket.reference]),
                         {"version": ticket.version, "status": "resolved", "skip_survey_reason": "duplicate of DD-7"},
                         format="json")
    assert response.status_code == 200, response.content
    survey = survey_of(ticket)
    assert (survey.state, survey.skip_reason) == (ST.SKIPPED, Survey.SkipReason.DUPLICATE)


def test_the_ticket_page_offers_it_in_feedbacks_words(client, agent, ticket):
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert "Resolve without a survey, because…" in page
    assert "Leave empty to survey the customer as usual." in page


def test_the_list_offers_it_for_the_selected_tickets_in_feedbacks_words(client, agent, ticket):
    client.force_login(agent)
    page = client.get(reverse("tickets:list")).content.decode()
    assert 'name="no_follow_up_reason"' in page
    assert "Leave empty to survey the customers as usual." in page


def test_changes_resolved_for_different_reasons_skip_each_survey_for_its_own(queue, agent):
    first, second = ff.new_ticket(queue), ff.new_ticket(queue)
    with transaction.atomic():
        with ticket_events.muted():
            ticket_services.tickets_transition(ticket_ids=[first.pk, second.pk], to_status=Ticket.Status.RESOLVED,
                                               actor=agent)
        ticket_events.send_in_transaction(
            ticket_events.ticket_statuses_changing, actor_id=agent.pk, at=None, changes=(
                ticket_events.StatusChange(first.pk, "new", "resolved", no_follow_up_reason="spam"),
                ticket_events.StatusChange(second.pk, "new", "resolved", no_follow_up_reason="asked not to be emailed"),
            ))
    assert (survey_of(first).state, survey_of(first).skip_reason) == (ST.SKIPPED, Survey.SkipReason.SPAM)
    assert (survey_of(second).state, survey_of(second).skip_note) == (ST.SKIPPED, "asked not to be emailed")
