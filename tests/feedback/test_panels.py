"""The feedback hooks on pages other apps own: the agent's ticket page and the customer's follow page."""

from django.urls import reverse

from feedback import services
from feedback.models import AgentPulse
from tests.feedback import helpers as ff
from tests.feedback.helpers import resolve, survey_of
from tickets.tokens import follow_token_for

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


def test_the_agents_ticket_page_shows_the_survey_state_and_the_pending_pulse(
    client, ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    pulse = AgentPulse.objects.get(agent=agent, ticket=ticket)
    client.force_login(agent)
    body = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert reverse("feedback:pulse_answer", args=[pulse.pk]) in body
    assert "Scheduled" in body  # the survey's state


def test_the_customer_box_shows_how_the_customer_rated_us(client, ticket, agent):
    resolve(ticket, agent)
    survey = survey_of(ticket)
    services.survey_send(survey_id=survey.pk, now=survey.due_at)
    services.rating_submit(survey_id=survey.pk, stars=2)
    client.force_login(agent)
    body = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert "1 rating, average 2.0/5" in body


def test_the_follow_page_lets_the_customer_rate_a_resolved_ticket(client, ticket, agent):
    resolve(ticket, agent)
    body = client.get(reverse("tickets:follow", args=[follow_token_for(ticket)])).content.decode()
    assert f"/survey/{ticket.reference}/" in body and 'name="stars"' in body


def test_the_follow_page_of_an_open_ticket_has_no_rating_form(client, ticket):
    body = client.get(reverse("tickets:follow", args=[follow_token_for(ticket)])).content.decode()
    assert "/survey/" not in body
