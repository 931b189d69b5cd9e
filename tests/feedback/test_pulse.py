"""Agent pulse (ASAT): asked on resolve, one tap, skippable, private to the agent; supervisors see
aggregates of at least five answers, never an individual pulse."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import AgentPulse
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


@pytest.fixture
def pending(ticket, agent, django_capture_on_commit_callbacks) -> AgentPulse:
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    return AgentPulse.objects.get(agent=agent, ticket=ticket)


def test_resolving_asks_the_assigned_agent_for_a_pulse(pending):
    assert pending.is_pending and pending.kind == AgentPulse.Kind.TICKET


def test_the_agent_answers_with_one_tap(client, agent, pending):
    client.force_login(agent)
    response = client.post(reverse("feedback:pulse_answer", args=[pending.pk]), {"score": "4"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.score, pending.is_pending) == (4, False)


def test_the_htmx_answer_returns_the_small_thanks_fragment(client, agent, pending):
    client.force_login(agent)
    response = client.post(
        reverse("feedback:pulse_answer", args=[pending.pk]),
        {"score": "2", "note": "Angry caller"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "2/5" in response.content.decode()
    assert AgentPulse.objects.get(pk=pending.pk).note == "Angry caller"


def test_the_agent_can_skip(client, agent, pending):
    client.force_login(agent)
    client.post(reverse("feedback:pulse_answer", args=[pending.pk]), {"skip": "1"})
    pending.refresh_from_db()
    assert pending.skipped and pending.score is None and not pending.is_pending


def test_an_agent_cannot_answer_another_agents_pulse(client, team, pending):
    other = factories.agent_in(team)
    client.force_login(other)
    client.post(reverse("feedback:pulse_answer", args=[pending.pk]), {"score": "1"})
    pending.refresh_from_db()
    assert pending.score is None


def test_a_score_outside_one_to_five_is_refused_with_a_message(client, agent, pending):
    client.force_login(agent)
    response = client.post(reverse("feedback:pulse_answer", args=[pending.pk]), {"score": "9"}, follow=True)
    assert "1 to 5" in response.content.decode()
    pending.refresh_from_db()
    assert pending.score is None


def test_the_pending_pulses_page_lists_the_agents_own_only(client, team, agent, pending):
    other = factories.agent_in(team)
    client.force_login(other)
    assert pending.ticket.reference not in client.get(reverse("feedback:pulses")).content.decode()
    client.force_login(agent)
    assert pending.ticket.reference in client.get(reverse("feedback:pulses")).content.decode()


def test_the_nav_shows_the_pending_count(client, agent, pending):
    client.force_login(agent)
    response = client.get(reverse("feedback:wow_board"))
    assert response.context["pending_pulse_count"] == 1


def test_the_weekly_pulse_is_one_answer_per_week_and_can_be_changed(client, agent):
    client.force_login(agent)
    client.post(reverse("feedback:pulse_weekly"), {"score": "2"})
    client.post(reverse("feedback:pulse_weekly"), {"score": "4", "note": "Better after Wednesday"})
    weekly = AgentPulse.objects.get(agent=agent, kind=AgentPulse.Kind.WEEKLY)
    assert weekly.score == 4 and weekly.week.weekday() == 0


def test_the_ticket_panel_offers_the_pulse_to_the_agent_of_the_ticket(client, agent, pending):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = agent
    html = Template('{% include "feedback/_ticket_panel.html" %}').render(
        Context({"ticket": pending.ticket, "request": request})
    )
    assert reverse("feedback:pulse_answer", args=[pending.pk]) in html


def test_supervisors_never_get_individual_pulses_from_the_api(client, supervisor, pending):
    services.pulse_answer(agent=pending.agent, pulse_id=pending.pk, score=1, note="private")
    client.force_login(supervisor)
    body = client.get("/api/v1/pulses/").json()
    assert body["results"] == []


def test_the_pulses_page_has_a_flat_number_of_queries(client, queue, agent, django_assert_max_num_queries):
    client.force_login(agent)
    for n in (2, 12):
        for _ in range(n):
            ticket = new_ticket(queue)
            services.pulse_request(agent_id=agent.pk, ticket_id=ticket.pk)
            services.weekly_pulse_answer(agent=agent, score=3, week=date(2026, 1, 5) + timedelta(weeks=n))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("feedback:pulses")).status_code == 200
