"""A resolution's SLA outcome is written in the resolving transaction, for one ticket or many."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from escalation.models import TicketSla
from tests.escalation import factories as esc
from tests.factories import TicketFactory
from tickets import services as tickets
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
S = Ticket.Status


@pytest.fixture
def armed(queue, customer, on_shift, django_capture_on_commit_callbacks):
    """Two tickets with their resolution clock armed (policy and rule of the queue); the second is late."""
    esc.sla_policy(queue=queue, priority="normal", first_response_hours=8, resolution_hours=40)
    esc.rule("sla_resolution", queue=queue, warning_percent=80)
    with django_capture_on_commit_callbacks(execute=True):
        on_time, late = (TicketFactory(queue=queue, customer=customer) for _ in range(2))
    TicketSla.objects.filter(ticket=late).update(resolution_due=timezone.now() - timedelta(minutes=1))
    assert TicketSla.objects.filter(ticket__in=[on_time, late], res_breach_at__isnull=False).count() == 2
    return on_time, late


def outcome(*batch) -> dict[int, bool | None]:
    return dict(TicketSla.objects.filter(ticket__in=batch).values_list("ticket_id", "resolution_met"))


def test_resolving_many_records_each_tickets_outcome_before_commit(armed, agent):
    on_time, late = armed
    with transaction.atomic():
        tickets.tickets_transition(ticket_ids=[on_time.pk, late.pk], to_status=S.RESOLVED, actor=agent)
        assert outcome(on_time, late) == {on_time.pk: True, late.pk: False}


def test_resolving_disarms_the_resolution_alarms_in_the_same_transaction(armed, agent):
    on_time, late = armed
    with transaction.atomic():
        tickets.ticket_transition(ticket=late, to_status=S.RESOLVED, actor=agent)
        sla = TicketSla.objects.get(ticket=late)
        assert (sla.res_warning_at, sla.res_breach_at, sla.resolution_met) == (None, None, False)
    assert TicketSla.objects.get(ticket=on_time).res_breach_at is not None  # the other is untouched


def test_a_breach_that_already_fired_is_not_met_even_if_resolved_before_the_due_time(armed, agent):
    on_time, _ = armed
    TicketSla.objects.filter(ticket=on_time).update(resolution_breached=True)
    tickets.ticket_transition(ticket=on_time, to_status=S.RESOLVED, actor=agent)
    assert outcome(on_time) == {on_time.pk: False}


def test_a_rolled_back_resolve_keeps_the_clock_armed(armed, agent):
    on_time, _ = armed
    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.ticket_transition(ticket=on_time, to_status=S.RESOLVED, actor=agent)
        raise RuntimeError("rolled back")
    sla = TicketSla.objects.get(ticket=on_time)
    assert (sla.resolution_met, sla.res_breach_at is not None) == (None, True)
