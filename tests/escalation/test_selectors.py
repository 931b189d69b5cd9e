"""escalated_tickets_per_agent: distinct escalated tickets per credited agent, one GROUP BY query."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from escalation.models import Escalation, Trigger
from escalation.selectors import escalated_tickets_per_agent
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def escalate(ticket, agent, when, state=Escalation.State.RESOLVED, trigger=Trigger.MANUAL) -> Escalation:
    return Escalation.objects.create(ticket=ticket, queue=ticket.queue, team=ticket.queue.team, agent=agent,
                                     trigger=trigger, state=state, created_at=when)


def test_counts_distinct_tickets_per_agent_in_the_window(queue, customer, team):
    mari, jaan = esc.agent_in(team), esc.agent_in(team)
    twice = esc.TicketFactory(queue=queue, customer=customer)
    escalate(twice, mari, at(DAY, 9))
    escalate(twice, mari, at(DAY + timedelta(days=1)), state=Escalation.State.OPEN, trigger=Trigger.SLA_RESOLUTION)
    escalate(esc.TicketFactory(queue=queue, customer=customer), mari, at(DAY))
    escalate(esc.TicketFactory(queue=queue, customer=customer), jaan, at(DAY))
    assert escalated_tickets_per_agent(start=DAY, end=DAY + timedelta(days=1)) == {mari.pk: 2, jaan.pk: 1}


def test_both_ends_of_the_window_are_included_and_outside_days_are_not(queue, customer, team):
    mari = esc.agent_in(team)
    for when in (at(DAY, 0), at(DAY + timedelta(days=2), 23), at(DAY - timedelta(days=1), 23),
                 at(DAY + timedelta(days=3), 0)):
        escalate(esc.TicketFactory(queue=queue, customer=customer), mari, when)
    assert escalated_tickets_per_agent(start=DAY, end=DAY + timedelta(days=2)) == {mari.pk: 2}


def test_escalations_of_unassigned_tickets_credit_nobody(queue, customer):
    escalate(esc.TicketFactory(queue=queue, customer=customer), None, at(DAY))
    assert escalated_tickets_per_agent(start=DAY, end=DAY) == {}


def test_agent_ids_restrict_the_answer(queue, customer, team):
    mari, jaan = esc.agent_in(team), esc.agent_in(team)
    escalate(esc.TicketFactory(queue=queue, customer=customer), mari, at(DAY))
    escalate(esc.TicketFactory(queue=queue, customer=customer), jaan, at(DAY))
    assert escalated_tickets_per_agent(start=DAY, end=DAY, agent_ids=[jaan.pk]) == {jaan.pk: 1}
    assert escalated_tickets_per_agent(start=DAY, end=DAY, agent_ids=[]) == {}


def test_is_one_query_however_many_agents_and_escalations(queue, customer, team, django_assert_num_queries):
    for n in (1, 6):
        agents = [esc.agent_in(team) for _ in range(n)]
        for agent in agents:
            escalate(esc.TicketFactory(queue=queue, customer=customer), agent, at(DAY))
        with django_assert_num_queries(1):
            result = escalated_tickets_per_agent(start=DAY, end=DAY)
        assert all(result[a.pk] == 1 for a in agents)

