"""Journey 5: the supervisor sees CSAT and ASAT figures and charts that match the data.

Ten tickets are resolved through the services; the real worker sends their surveys; customers rate them
(services) and the agent answers the pulses (as last week's: pulses are published once their week is
over). Expected, by D3/D5: CSAT = 4-5 stars / all = 7/10 = 70.0%, delight = 5 stars / all = 4/10 = 40.0%,
ASAT = pulses of 4-5 / answered = 5/10 = 50.0%."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import AgentPulse, Survey
from feedback.pulse_privacy import open_week
from tests.e2e.factories import Desk
from tests.e2e.helpers import wait_for
from tickets import services as ticket_services
from tickets.models import Ticket

JOURNEY = "5-dashboard"
STARS = [5, 5, 5, 5, 4, 4, 4, 3, 2, 1]
PULSES = [5, 4, 4, 5, 4, 3, 3, 2, 2, 1]
pytestmark = pytest.mark.worker


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.SURVEY_DELAY_SECONDS = 0
    return Desk()


def _rated_tickets(desk: Desk) -> None:
    tickets = []
    for n in range(len(STARS)):
        ticket = desk.ticket(subject=f"Order {n} question")
        ticket_services.ticket_assign(ticket=ticket, assignee=desk.agent, actor=desk.agent)
        ticket_services.message_add(ticket=ticket, body="Here is the answer.", author_user=desk.agent)
        ticket.refresh_from_db()
        ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=desk.agent)
        tickets.append(ticket)
    sent = Survey.objects.filter(ticket__in=tickets, state=Survey.State.SENT)
    wait_for(lambda: sent.count() == len(STARS), timeout=90, what="the worker to send every survey")
    surveys = list(sent.order_by("ticket_id"))
    for survey, stars in zip(surveys, STARS, strict=True):
        feedback_services.rating_submit(survey_id=survey.pk, stars=stars)
    pulses = AgentPulse.objects.filter(agent=desk.agent, ticket__in=tickets).order_by("ticket_id")
    assert pulses.count() == len(PULSES)
    # Pulses are published once their week is over (docs/privacy.md): the agent answered them last week.
    last_week = open_week() - dt.timedelta(weeks=1)
    pulses.update(week=last_week)
    answered = timezone.make_aware(dt.datetime.combine(last_week + dt.timedelta(days=2), dt.time(15)))
    for pulse, score in zip(pulses, PULSES, strict=True):
        feedback_services.pulse_answer(agent=desk.agent, pulse_id=pulse.pk, score=score, now=answered)


def _headline(page, title: str) -> str:
    card = page.locator(".card-body", has=page.locator(".small", has_text=title)).first
    return card.locator(".fs-3").inner_text().strip()


def test_supervisor_sees_csat_and_asat_figures_and_charts_matching_the_data(desk, celery_worker, page, live_url,
                                                                            login, shot, console_errors):
    _rated_tickets(desk)
    console = console_errors(page)

    login(page, desk.supervisor)
    page.goto(live_url("reports:dashboard"))
    assert _headline(page, "CSAT (4-5 stars)") == "70.0%"
    assert _headline(page, "Delight (5 stars)") == "40.0%"
    assert _headline(page, "ASAT (agents, 4-5)") == "50.0%"
    # D4: 10 customers x 100 a month x (1 - 0.70) x 0.95 churn probability.
    assert _headline(page, "Revenue at risk / month") == "€285.00"  # REVENUE_CURRENCY, EUR by default
    shot(page, JOURNEY, "01-dashboard")

    # The charts draw the same numbers (Chart.js, from the page's json_script data).
    distribution = page.evaluate("Chart.getChart('chart-distribution').data.datasets[0].data")
    assert distribution == [STARS.count(n) for n in (1, 2, 3, 4, 5)]
    trend = page.evaluate(
        "Object.fromEntries(Chart.getChart('chart-trend').data.datasets"
        ".map((d, i) => [i, d.data.filter(v => v !== null)]))"
    )
    assert trend["0"][-1] == 70.0 and trend["1"][-1] == 40.0 and trend["2"][-1] == 50.0
    assert console.errors == []
