"""The ticket page shows a pending ticket's paused SLA clocks as paused: no countdown, no "overdue".

The team works around the clock here (the `on_shift` calendar), so business time is wall time and
a pause of one hour moves the resolution due time one hour later.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation import services
from escalation.models import TicketSla, Trigger
from tests.escalation import factories as esc
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)
PAUSED = "Paused while waiting on the customer (since"


@pytest.fixture
def opened(on_shift, queue, customer, agent):
    """A ticket opened three hours ago with a 2 h first-response and an 8 h resolution target."""
    esc.sla_policy(queue=None, priority="normal", first_response_hours=2, resolution_hours=8)

    def make(*, answered: bool = True, kind: str = Ticket.Kind.QUESTION) -> Ticket:
        now = timezone.now().replace(microsecond=0)
        ticket = esc.TicketFactory(queue=queue, customer=customer, kind=kind)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - 3 * HOUR, status=Ticket.Status.OPEN, assignee=agent,
            first_response_at=now - 2 * HOUR - 30 * timedelta(minutes=1) if answered else None)
        services.sla_start(ticket_id=ticket.pk)
        ticket.refresh_from_db()
        return ticket

    return make


def move(ticket, status, at, capture, actor=None):
    ticket.refresh_from_db()
    with capture(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to_status=status, actor=actor, at=at)


def page(client, ticket) -> str:
    response = client.get(reverse("tickets:detail", args=[ticket.reference]))
    assert response.status_code == 200
    return response.content.decode()


def clock(body: str, kind: str) -> str:
    """The <dd> of one clock in the panel ('' when the clock is not shown)."""
    match = re.search(rf'<dd[^>]*data-sla-clock="{kind}"[^>]*>(.*?)</dd>', body, re.S)
    return match.group(0) if match else ""


def test_a_pending_tickets_resolution_clock_shows_paused_without_a_countdown(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    move(ticket, Ticket.Status.PENDING, timezone.now() - HOUR, django_capture_on_commit_callbacks)
    client.force_login(agent)
    resolution = clock(page(client, ticket), "resolution")
    assert 'data-sla-state="paused"' in resolution
    assert PAUSED in resolution
    assert "Due " not in resolution and "Overdue" not in resolution


def test_a_paused_clock_past_its_due_time_is_not_shown_overdue(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    TicketSla.objects.filter(ticket=ticket).update(resolution_due=timezone.now() - HOUR,
                                                   res_breach_at=timezone.now() - HOUR)
    move(ticket, Ticket.Status.PENDING, timezone.now() - 2 * HOUR, django_capture_on_commit_callbacks)
    client.force_login(agent)
    body = page(client, ticket)
    assert PAUSED in clock(body, "resolution")
    assert "Overdue" not in body


def test_the_paused_clock_says_since_when(client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    paused_at = timezone.now().replace(microsecond=0) - HOUR
    move(ticket, Ticket.Status.PENDING, paused_at, django_capture_on_commit_callbacks)
    client.force_login(agent)
    assert f'datetime="{paused_at.isoformat()}"' in clock(page(client, ticket), "resolution")


def test_a_running_resolution_clock_shows_its_due_time_and_countdown(client, agent, opened):
    ticket = opened()
    due = TicketSla.objects.get(ticket=ticket).resolution_due
    client.force_login(agent)
    resolution = clock(page(client, ticket), "resolution")
    assert 'data-sla-state="running"' in resolution
    assert f'datetime="{due.isoformat()}"' in resolution
    assert "Due " in resolution and PAUSED not in resolution


def test_resuming_shows_the_clock_again_with_its_due_time_moved_later(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    before = TicketSla.objects.get(ticket=ticket).resolution_due
    now = timezone.now().replace(microsecond=0)
    move(ticket, Ticket.Status.PENDING, now - 2 * HOUR, django_capture_on_commit_callbacks)
    move(ticket, Ticket.Status.OPEN, now - HOUR, django_capture_on_commit_callbacks)
    client.force_login(agent)
    body = page(client, ticket)
    resolution = clock(body, "resolution")
    assert 'data-sla-state="running"' in resolution and PAUSED not in resolution
    assert f'datetime="{(before + HOUR).isoformat()}"' in resolution


def test_the_business_time_already_paused_is_shown_in_short(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    now = timezone.now().replace(microsecond=0)
    move(ticket, Ticket.Status.PENDING, now - 2 * HOUR, django_capture_on_commit_callbacks)
    move(ticket, Ticket.Status.OPEN, now - HOUR + timedelta(minutes=30), django_capture_on_commit_callbacks)
    client.force_login(agent)
    body = page(client, ticket)
    assert 'data-sla-paused-seconds="5400"' in body
    assert "1.5 h of business time" in body


def test_no_paused_time_line_before_any_pause(client, agent, opened):
    ticket = opened()
    client.force_login(agent)
    assert "data-sla-paused-seconds" not in page(client, ticket)


def test_the_unanswered_first_response_clock_keeps_running_while_pending(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened(answered=False)
    due = TicketSla.objects.get(ticket=ticket).first_response_due
    move(ticket, Ticket.Status.PENDING, timezone.now() - 2 * HOUR, django_capture_on_commit_callbacks)
    client.force_login(agent)
    body = page(client, ticket)
    first_response = clock(body, "first_response")
    assert 'data-sla-state="overdue"' in first_response  # due an hour ago: pending does not stop it
    assert f'datetime="{due.isoformat()}"' in first_response
    assert PAUSED in clock(body, "resolution")


def test_an_answered_first_response_shows_settled_not_paused(
        client, agent, opened, django_capture_on_commit_callbacks):
    ticket = opened()
    services.sla_first_response(ticket_id=ticket.pk)
    move(ticket, Ticket.Status.PENDING, timezone.now() - HOUR, django_capture_on_commit_callbacks)
    client.force_login(agent)
    first_response = clock(page(client, ticket), "first_response")
    assert 'data-sla-state="met"' in first_response and PAUSED not in first_response


def test_a_pending_complaint_clock_shows_paused(client, agent, opened, django_capture_on_commit_callbacks):
    esc.rule(Trigger.COMPLAINT, target_hours=4)
    ticket = opened(kind=Ticket.Kind.COMPLAINT)
    assert 'data-sla-state="running"' in clock(page_as(client, agent, ticket), "complaint")
    move(ticket, Ticket.Status.PENDING, timezone.now() - HOUR, django_capture_on_commit_callbacks)
    complaint = clock(page(client, ticket), "complaint")
    assert 'data-sla-state="paused"' in complaint and PAUSED in complaint


def page_as(client, user, ticket) -> str:
    client.force_login(user)
    return page(client, ticket)


def test_customers_never_see_the_sla_clocks(client, opened, customer_user, django_capture_on_commit_callbacks):
    ticket = opened()
    move(ticket, Ticket.Status.PENDING, timezone.now() - HOUR, django_capture_on_commit_callbacks)
    client.force_login(customer_user)
    response = client.get(reverse("tickets:my_ticket", args=[ticket.reference]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ticket.subject in body
    assert PAUSED not in body and "data-sla-clock" not in body


def _count(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, ticket)
    return len(queries)


def test_the_ticket_page_costs_the_same_queries_running_paused_and_resumed(
        client, agent, opened, django_capture_on_commit_callbacks):
    client.force_login(agent)
    ticket = opened()
    other = opened()
    _count(client, other)  # warm the per-process caches (rules, calendars, sessions)
    running = _count(client, ticket)
    now = timezone.now()
    move(ticket, Ticket.Status.PENDING, now - 2 * HOUR, django_capture_on_commit_callbacks)
    paused = _count(client, ticket)
    move(ticket, Ticket.Status.OPEN, now - HOUR, django_capture_on_commit_callbacks)
    resumed = _count(client, ticket)
    move(ticket, Ticket.Status.PENDING, now - HOUR / 2, django_capture_on_commit_callbacks)
    paused_again = _count(client, ticket)
    assert running == paused == resumed == paused_again


def test_the_sla_clocks_cost_one_query_whatever_their_state(
        agent, opened, django_assert_num_queries, django_capture_on_commit_callbacks):
    from escalation.selectors import ticket_sla_view

    ticket = opened(kind=Ticket.Kind.COMPLAINT)
    move(ticket, Ticket.Status.PENDING, timezone.now() - HOUR, django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    with django_assert_num_queries(1):
        view = ticket_sla_view(ticket)
    assert [(c.kind, c.state) for c in view.clocks] == [
        ("first_response", "met"), ("resolution", "paused"), ("complaint", "paused")]
