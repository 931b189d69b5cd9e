"""Resolved tickets close by themselves TICKET_AUTO_CLOSE_DAYS after they were resolved (hourly beat task)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tickets import services
from tickets.beat import SCHEDULE
from tickets.models import Ticket, TicketEvent
from tickets.tasks import auto_close_resolved

pytestmark = pytest.mark.django_db


def resolved(queue, days_ago: float) -> Ticket:
    ticket = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=None,
                               at=timezone.now() - timedelta(days=days_ago))
    return ticket


def test_resolved_tickets_older_than_the_setting_are_closed_and_recorded(queue, settings):
    settings.TICKET_AUTO_CLOSE_DAYS = 7
    old = resolved(queue, 8)
    assert auto_close_resolved() == 1
    old.refresh_from_db()
    assert old.status == Ticket.Status.CLOSED and old.closed_at is not None
    event = old.events.filter(kind=TicketEvent.Kind.STATUS, to_value="closed").get()
    assert event.actor is None


def test_recently_resolved_and_open_tickets_are_left_alone(queue, settings):
    settings.TICKET_AUTO_CLOSE_DAYS = 7
    recent = resolved(queue, 6)
    still_open = factories.TicketFactory(queue=queue)
    assert auto_close_resolved() == 0
    assert Ticket.objects.get(pk=recent.pk).status == Ticket.Status.RESOLVED
    assert Ticket.objects.get(pk=still_open.pk).status == Ticket.Status.NEW


def test_the_setting_decides_the_delay(queue, settings):
    settings.TICKET_AUTO_CLOSE_DAYS = 2
    ticket = resolved(queue, 3)
    auto_close_resolved()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED


def test_running_twice_closes_nothing_more(queue, settings):
    settings.TICKET_AUTO_CLOSE_DAYS = 7
    resolved(queue, 10)
    assert auto_close_resolved() == 1
    assert auto_close_resolved() == 0


def test_the_closing_publishes_an_automatic_ticket_closed_event(queue, settings, django_capture_on_commit_callbacks):
    from tickets import events

    received = []

    def receiver(sender, **payload):
        received.append(payload)

    settings.TICKET_AUTO_CLOSE_DAYS = 7
    ticket = resolved(queue, 9)
    events.ticket_closed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            auto_close_resolved()
    finally:
        events.ticket_closed.disconnect(receiver)
    assert received == [{"ticket_id": ticket.pk, "actor_id": None, "automatic": True, "signal": events.ticket_closed}]


def test_the_task_is_scheduled_hourly():
    assert SCHEDULE["tickets.auto_close_resolved"]["schedule"] == 3600.0
