"""Measures: counts by trigger/queue/team/agent, acknowledge and resolve times, outcomes, SLA, recovery."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation import measures, services
from escalation.models import Escalation, TicketSla, Trigger
from feedback.models import Rating, Survey
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db


def escalation_with_times(ticket, ack_minutes=None, resolve_minutes=None, state=Escalation.State.RESOLVED,
                          trigger=Trigger.MANUAL):
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=trigger)
    start = escalation.created_at
    Escalation.objects.filter(pk=escalation.pk).update(
        acknowledged_at=start + timedelta(minutes=ack_minutes) if ack_minutes is not None else None,
        resolved_at=start + timedelta(minutes=resolve_minutes) if resolve_minutes is not None else None,
        state=state,
    )
    return escalation


def test_median_and_90th_percentile_of_time_to_acknowledge(on_shift, queue, customer, supervisor):
    for minutes in (10, 20, 30, 40, 100):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=minutes,
                              resolve_minutes=minutes * 2)
    data = measures.summary()
    assert data["time_to_acknowledge"]["median_seconds"] == 30 * 60
    assert data["time_to_acknowledge"]["p90_seconds"] == pytest.approx(76 * 60)
    assert data["time_to_resolve"]["median_seconds"] == 60 * 60


def test_counts_by_trigger_queue_team_and_agent(on_shift, queue, customer, supervisor, agent):
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    from tickets import services as ticket_services

    ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    escalation_with_times(ticket, state=Escalation.State.OPEN)
    escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), trigger=Trigger.COMPLAINT,
                          state=Escalation.State.OPEN)
    data = measures.summary()
    assert {r["trigger"]: r["count"] for r in data["by_trigger"]} == {"manual": 1, "complaint": 1}
    assert data["by_queue"] == [{"id": queue.pk, "name": queue.name, "count": 2}]
    assert data["by_team"][0]["count"] == 2
    assert data["by_agent"] == [{"id": agent.pk, "name": agent.username, "count": 1}]


def test_share_resolved_by_the_supervisor_versus_returned(on_shift, queue, customer, supervisor):
    for state in ("resolved", "resolved", "resolved", "returned"):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), state=state)
    outcomes = measures.summary()["outcomes"]
    assert (outcomes["resolved_share"], outcomes["returned_share"]) == (75.0, 25.0)


def test_sla_compliance_per_queue_and_priority(queue, customer):
    policy = esc.sla_policy(queue=queue, priority="normal")
    for met in (True, True, False, None):
        ticket = esc.TicketFactory(queue=queue, customer=customer)
        TicketSla.objects.create(ticket=ticket, policy=policy, first_response_met=met)
    rows = measures.summary()["sla"]
    assert rows == [{"queue": queue.name, "priority": "normal",
                     "first_response": {"n": 3, "met": 2, "share": 66.7},
                     "resolution": {"n": 0, "met": 0, "share": None}}]


def rate(ticket, stars, at):
    survey = Survey.objects.create(ticket=ticket, customer=ticket.customer, state="expired")
    return Rating.objects.create(survey=survey, ticket=ticket, customer=ticket.customer, stars=stars, created_at=at)


def test_service_recovery_share_counts_customers_who_later_rated_4_or_5(on_shift, queue, customer, supervisor):
    now = timezone.now()
    recovered = esc.TicketFactory(queue=queue, customer=customer)
    lost = esc.TicketFactory(queue=queue, customer=customer)
    for ticket in (recovered, lost):
        low = rate(ticket, 1, now - timedelta(hours=2))
        services.service_recovery(ticket_id=ticket.pk, rating_id=low.pk, stars=1)
    rate(recovered, 5, now + timedelta(hours=1))
    rate(lost, 2, now + timedelta(hours=1))
    assert measures.summary()["service_recovery"] == {"low_rated": 2, "recovered": 1, "share": 50.0}


def test_summary_query_count_does_not_grow_with_escalations(on_shift, queue, customer, supervisor,
                                                            django_assert_max_num_queries):
    for _ in range(3):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
    with django_assert_max_num_queries(12):
        measures.summary()
    for _ in range(10):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
    with django_assert_max_num_queries(12):
        measures.summary()


def test_dashboard_panel_renders_the_headline(client, admin_user, on_shift, queue, customer):
    from django.template import Context, Template

    escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
    html = Template('{% include "escalation/_dashboard_panel.html" %}').render(Context({"date_from": None,
                                                                                         "date_to": None}))
    assert "Escalation and SLA" in html
    assert "5 min" in html
