"""The SLA clock follows changes of priority, queue and kind made after the ticket was opened."""

import pytest

from escalation.models import TicketSla
from tests.escalation import factories as esc
from tickets import services as tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(queue, on_shift):
    esc.sla_policy(queue=queue, priority="normal", first_response_hours=8, resolution_hours=40)
    esc.sla_policy(queue=queue, priority="urgent", first_response_hours=1, resolution_hours=4)


def _open_ticket(queue, customer, django_capture_on_commit_callbacks):
    from tests.factories import TicketFactory

    with django_capture_on_commit_callbacks(execute=True):
        return TicketFactory(queue=queue, customer=customer, priority="normal")


def test_raising_priority_moves_the_resolution_due_time_earlier(
    policies, queue, customer, agent, django_capture_on_commit_callbacks
):
    ticket = _open_ticket(queue, customer, django_capture_on_commit_callbacks)
    before = TicketSla.objects.get(ticket=ticket).resolution_due
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_update(ticket=ticket, actor=agent, priority="urgent")
    after = TicketSla.objects.get(ticket=ticket)
    assert after.resolution_due < before
    assert after.res_breach_at == after.resolution_due


def test_a_breach_that_already_fired_is_not_rearmed_by_a_priority_change(
    policies, queue, customer, agent, django_capture_on_commit_callbacks
):
    ticket = _open_ticket(queue, customer, django_capture_on_commit_callbacks)
    TicketSla.objects.filter(ticket=ticket).update(resolution_breached=True, res_breach_at=None, res_warning_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_update(ticket=ticket, actor=agent, priority="urgent")
    assert TicketSla.objects.get(ticket=ticket).res_breach_at is None


def test_reclassifying_as_complaint_arms_the_complaint_clock_at_once(
    queue, customer, agent, on_shift, django_capture_on_commit_callbacks
):
    esc.rule("complaint", queue=queue, target_hours=2)
    ticket = _open_ticket(queue, customer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_update(ticket=ticket, actor=agent, kind="complaint")
    assert TicketSla.objects.get(ticket=ticket).complaint_at is not None


def test_ticket_changed_names_only_the_fields_that_changed(queue, customer, agent, django_capture_on_commit_callbacks):
    from tickets.events import ticket_changed

    received = []

    def receiver(sender, **payload):
        received.append(payload["fields"])

    ticket_changed.connect(receiver)
    try:
        ticket = _open_ticket(queue, customer, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            tickets.ticket_update(ticket=ticket, actor=agent, priority="high", kind="question")
    finally:
        ticket_changed.disconnect(receiver)
    assert received == [["priority"]]


def test_moving_a_ticket_to_a_queue_without_a_policy_stops_its_clocks(
    policies, queue, customer, agent, django_capture_on_commit_callbacks
):
    from tests.factories import QueueFactory

    ticket = _open_ticket(queue, customer, django_capture_on_commit_callbacks)
    assert TicketSla.objects.get(ticket=ticket).resolution_due is not None
    bare = QueueFactory(team=queue.team)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_update(ticket=ticket, actor=agent, queue=bare)
    sla = TicketSla.objects.get(ticket=ticket)
    assert (sla.policy, sla.first_response_due, sla.resolution_due) == (None, None, None)
    assert (sla.fr_breach_at, sla.res_breach_at, sla.res_warning_at) == (None, None, None)
