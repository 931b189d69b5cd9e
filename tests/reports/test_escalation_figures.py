"""Escalation figures: counts by trigger/queue/team/agent, acknowledge and resolve times, outcomes, SLA,
recovery; the measures page and the dashboard's escalation panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, TicketSla, Trigger
from feedback.models import Rating, Survey
from reports.dashboard import escalation_panel
from reports.figures import ReportFilter, escalations
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
    data = escalations.summary()
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
    data = escalations.summary()
    assert {r["trigger"]: r["count"] for r in data["by_trigger"]} == {"manual": 1, "complaint": 1}
    assert data["by_queue"] == [{"id": queue.pk, "name": queue.name, "count": 2}]
    assert data["by_team"][0]["count"] == 2
    assert data["by_agent"] == [{"id": agent.pk, "name": agent.get_full_name(), "count": 1}]


def test_agents_are_named_by_full_name_falling_back_to_username(on_shift, team, queue, customer, supervisor):
    from tickets import services as ticket_services

    named = esc.agent_in(team, first_name="Anna", last_name="Agent")
    unnamed = esc.agent_in(team, first_name="", last_name="")
    for agent in (named, unnamed):
        ticket = esc.TicketFactory(queue=queue, customer=customer)
        ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        escalation_with_times(ticket, state=Escalation.State.OPEN)
    names = {r["id"]: r["name"] for r in escalations.summary()["by_agent"]}
    assert names == {named.pk: "Anna Agent", unnamed.pk: unnamed.username}


def test_share_resolved_by_the_supervisor_versus_returned(on_shift, queue, customer, supervisor):
    for state in ("resolved", "resolved", "resolved", "returned"):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), state=state)
    outcomes = escalations.summary()["outcomes"]
    assert (outcomes["resolved_share"], outcomes["returned_share"]) == (75.0, 25.0)


def test_sla_compliance_per_queue_and_priority(queue, customer):
    policy = esc.sla_policy(queue=queue, priority="normal")
    for met in (True, True, False, None):
        ticket = esc.TicketFactory(queue=queue, customer=customer)
        TicketSla.objects.create(ticket=ticket, policy=policy, first_response_met=met)
    rows = escalations.summary()["sla"]
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
    assert escalations.summary()["service_recovery"] == {"low_rated": 2, "recovered": 1, "share": 50.0}


def test_summary_query_count_does_not_grow_with_escalations(on_shift, queue, customer, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 13):
        while Escalation.objects.count() < n:
            escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
        with CaptureQueriesContext(connection) as queries:
            escalations.summary()
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14


def test_dashboard_panel_renders_the_headline(client, admin_user, on_shift, queue, customer):
    escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
    client.force_login(admin_user)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "Escalation and SLA" in html
    assert "5 min" in html


def test_an_even_number_of_durations_interpolates_like_percentile_cont(on_shift, queue, customer, supervisor):
    for minutes in (40, 10, 30, 20):
        escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=minutes)
    ack = escalations.summary()["time_to_acknowledge"]
    assert ack["n"] == 4
    assert ack["median_seconds"] == pytest.approx(25 * 60)
    assert ack["p90_seconds"] == pytest.approx(37 * 60)


def test_one_duration_is_its_own_median_and_none_gives_no_figure(on_shift, queue, customer, supervisor):
    escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=7)
    data = escalations.summary()
    assert data["time_to_acknowledge"]["median_seconds"] == pytest.approx(7 * 60)
    assert data["time_to_resolve"] == {"n": 0, "median_seconds": None, "p90_seconds": None}


def test_headline_agrees_with_the_summary(on_shift, queue, customer, supervisor):
    policy = esc.sla_policy(queue=queue, priority="normal")
    for minutes, met in ((5, True), (15, False), (25, True)):
        ticket = esc.TicketFactory(queue=queue, customer=customer)
        TicketSla.objects.update_or_create(ticket=ticket, defaults={"policy": policy, "first_response_met": met})
        escalation_with_times(ticket, ack_minutes=minutes, state=Escalation.State.OPEN)
    head, data = escalations.headline(), escalations.summary()
    assert (head["total"], head["open"]) == (data["total"], data["open"]) == (3, 3)
    assert head["median_ack_seconds"] == data["time_to_acknowledge"]["median_seconds"] == pytest.approx(15 * 60)
    assert head["first_response_compliance"] == 66.7


def test_dashboard_panel_query_count_is_flat_as_escalations_grow(on_shift, queue, customer, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    period = ReportFilter(date_from=today - timedelta(days=29), date_to=today)
    escalation_panel(supervisor, period)  # warms role_of's per-user cache
    headline_counts, panel_counts = [], []
    for n in (2, 15):
        while Escalation.objects.count() < n:
            escalation_with_times(esc.TicketFactory(queue=queue, customer=customer), ack_minutes=5, resolve_minutes=9)
        with CaptureQueriesContext(connection) as queries:
            escalations.headline(date_from=period.date_from, date_to=period.date_to)
        headline_counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            escalation_panel(supervisor, period)
        panel_counts.append(len(queries))
    assert headline_counts[0] == headline_counts[1] <= 5
    assert panel_counts[0] == panel_counts[1] <= 6  # and what is open now for the supervisor: one more


def test_measures_page_renders_with_bad_dates(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("reports:escalation_measures"), {"date_from": "2026-02-30", "date_to": "x"})
    assert response.status_code == 200
