"""Each trigger fires once and only once; a second firing adds to the open escalation's history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation import services
from escalation.models import Escalation, EscalationEvent, Notification, TicketSla, Trigger
from feedback import events as feedback_events
from tests.escalation import factories as esc
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def escalations_of(ticket, trigger=None):
    qs = Escalation.objects.filter(ticket=ticket)
    return qs.filter(trigger=trigger) if trigger else qs


def resolve(ticket, actor):
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=actor)


def reopen(ticket):
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.OPEN, actor=None)


# --- Manual -------------------------------------------------------------------------------------


def test_manual_trigger_records_reason_and_what_was_tried(on_shift, assigned_ticket, agent, supervisor):
    escalation, created = services.escalation_raise(
        ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent, reason_code="upset_customer",
        reason_text="Customer is furious", tried="Apologised, offered a callback")
    assert created
    assert (escalation.reason_code, escalation.tried, escalation.agent) == (
        "upset_customer", "Apologised, offered a callback", agent)
    assert escalation.events.filter(kind=EscalationEvent.Kind.RAISED).count() == 1


def test_firing_again_adds_to_the_open_escalation_instead_of_a_second(on_shift, assigned_ticket, agent, supervisor):
    first, _ = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent)
    second, created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.COMPLAINT,
                                                reason_text="again")
    assert (second, created) == (first, False)
    assert escalations_of(assigned_ticket).count() == 1
    again = first.events.get(kind=EscalationEvent.Kind.FIRED_AGAIN)
    assert again.trigger == Trigger.COMPLAINT


def test_a_returned_escalation_lets_a_new_one_open(on_shift, assigned_ticket, agent, supervisor):
    first, _ = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent)
    services.escalation_return(escalation=first, actor=supervisor, guidance="Offer the standard credit.")
    _second, created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent)
    assert created
    assert escalations_of(assigned_ticket).count() == 2


# --- SLA ----------------------------------------------------------------------------------------


@pytest.fixture
def policy(queue):
    return esc.sla_policy(queue=None, priority="normal", first_response_hours=2, resolution_hours=8)


def test_new_ticket_gets_due_times_in_business_hours(policy, on_shift, queue, customer,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = esc.TicketFactory(queue=queue, customer=customer)
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_due == ticket.created_at + timedelta(hours=2)
    assert sla.resolution_due == ticket.created_at + timedelta(hours=8)
    assert sla.fr_warning_at == ticket.created_at + timedelta(hours=2 * 0.8)


def test_first_response_breach_escalates_once(policy, on_shift, assigned_ticket, supervisor):
    services.sla_start(ticket_id=assigned_ticket.pk)
    later = assigned_ticket.created_at + timedelta(hours=3)
    services.sla_sweep(now=later)
    services.sla_sweep(now=later + timedelta(minutes=1))
    assert escalations_of(assigned_ticket, Trigger.SLA_FIRST_RESPONSE).count() == 1
    assert Escalation.objects.get().events.filter(kind=EscalationEvent.Kind.FIRED_AGAIN).count() == 0
    assert TicketSla.objects.get(ticket=assigned_ticket).first_response_breached


def test_warning_before_the_breach_notifies_the_assignee_once(policy, on_shift, assigned_ticket, agent):
    services.sla_start(ticket_id=assigned_ticket.pk)
    at_85_percent = assigned_ticket.created_at + timedelta(minutes=102)
    services.sla_sweep(now=at_85_percent)
    services.sla_sweep(now=at_85_percent + timedelta(minutes=1))
    assert Notification.objects.filter(recipient=agent, kind=Notification.Kind.SLA_WARNING).count() == 1
    assert not Escalation.objects.exists()


def test_answered_ticket_does_not_breach_first_response(policy, on_shift, assigned_ticket, agent,
                                                        django_capture_on_commit_callbacks):
    services.sla_start(ticket_id=assigned_ticket.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_add(ticket=assigned_ticket, body="On it!", author_user=agent)
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(hours=3))
    assert not escalations_of(assigned_ticket, Trigger.SLA_FIRST_RESPONSE).exists()
    assert TicketSla.objects.get(ticket=assigned_ticket).first_response_met is True


def test_resolved_ticket_does_not_breach_resolution(policy, on_shift, assigned_ticket, agent,
                                                    django_capture_on_commit_callbacks):
    services.sla_start(ticket_id=assigned_ticket.pk)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(assigned_ticket, agent)
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(hours=20))
    assert not Escalation.objects.exists()
    assert TicketSla.objects.get(ticket=assigned_ticket).resolution_met is True


def test_resolution_breach_escalates_once(policy, on_shift, assigned_ticket, supervisor):
    services.sla_start(ticket_id=assigned_ticket.pk)
    TicketSla.objects.update(fr_breach_at=None, fr_warning_at=None)
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(hours=9))
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(hours=10))
    assert escalations_of(assigned_ticket, Trigger.SLA_RESOLUTION).count() == 1


# --- Complaint ----------------------------------------------------------------------------------


def test_unresolved_complaint_escalates_once_after_its_target(on_shift, queue, customer, supervisor):
    esc.rule(Trigger.COMPLAINT, target_hours=1)
    ticket = esc.TicketFactory(queue=queue, customer=customer, kind=Ticket.Kind.COMPLAINT)
    services.sla_start(ticket_id=ticket.pk)
    services.sla_sweep(now=ticket.created_at + timedelta(minutes=59))
    assert not Escalation.objects.exists()
    services.sla_sweep(now=ticket.created_at + timedelta(minutes=61))
    services.sla_sweep(now=ticket.created_at + timedelta(minutes=62))
    assert escalations_of(ticket, Trigger.COMPLAINT).count() == 1


def test_question_is_not_a_complaint(on_shift, queue, customer, supervisor):
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    services.sla_start(ticket_id=ticket.pk)
    services.sla_sweep(now=ticket.created_at + timedelta(days=3))
    assert not escalations_of(ticket, Trigger.COMPLAINT).exists()


# --- Repeat contact -----------------------------------------------------------------------------


def test_ticket_reopened_n_times_escalates_once(on_shift, assigned_ticket, agent, supervisor,
                                                django_capture_on_commit_callbacks):
    esc.rule(Trigger.REPEAT_CONTACT, reopen_count=2)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            resolve(assigned_ticket, agent)
            reopen(assigned_ticket)
    assert escalations_of(assigned_ticket, Trigger.REPEAT_CONTACT).count() == 1
    assert not EscalationEvent.objects.filter(kind=EscalationEvent.Kind.FIRED_AGAIN).exists()


def test_customer_with_m_tickets_in_d_days_escalates_once(on_shift, queue, customer, supervisor,
                                                          django_capture_on_commit_callbacks):
    esc.rule(Trigger.REPEAT_CONTACT, ticket_count=3, window_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [esc.TicketFactory(queue=queue, customer=customer) for _ in range(5)]
    assert Escalation.objects.filter(trigger=Trigger.REPEAT_CONTACT).count() == 1
    assert Escalation.objects.get().ticket == tickets[2]


def test_tickets_spread_over_more_than_d_days_do_not_escalate(on_shift, queue, customer, supervisor):
    esc.rule(Trigger.REPEAT_CONTACT, ticket_count=3, window_days=7)
    now = timezone.now()
    for days_ago in (20, 10, 0):
        ticket = esc.TicketFactory(queue=queue, customer=customer, created_at=now - timedelta(days=days_ago))
        services.repeat_contact_on_create(ticket_id=ticket.pk)
    assert not Escalation.objects.exists()


# --- Service recovery ---------------------------------------------------------------------------


def test_low_rating_reopens_the_ticket_to_a_supervisor_with_the_rating(on_shift, assigned_ticket, agent,
                                                                       supervisor,
                                                                       django_capture_on_commit_callbacks):
    resolve(assigned_ticket, agent)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_events.low_rating.send(sender="feedback", ticket_id=assigned_ticket.pk, rating_id=77, stars=1,
                                        comment="Nobody listened")
    assigned_ticket.refresh_from_db()
    escalation = Escalation.objects.get(ticket=assigned_ticket)
    assert assigned_ticket.status == Ticket.Status.OPEN
    assert assigned_ticket.assignee == supervisor
    assert (escalation.trigger, escalation.rating_stars, escalation.rating_comment) == (
        Trigger.SERVICE_RECOVERY, 1, "Nobody listened")
    assert escalation.assigned_to == supervisor


def test_the_same_low_rating_delivered_twice_escalates_once(on_shift, assigned_ticket, agent, supervisor):
    resolve(assigned_ticket, agent)
    for _ in range(2):
        services.service_recovery(ticket_id=assigned_ticket.pk, rating_id=5, stars=2, comment="meh")
    assert Escalation.objects.count() == 1
    assert not EscalationEvent.objects.filter(kind=EscalationEvent.Kind.FIRED_AGAIN).exists()


def test_low_rating_on_a_closed_ticket_still_escalates(on_shift, assigned_ticket, agent, supervisor):
    resolve(assigned_ticket, agent)
    assigned_ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=assigned_ticket, to_status=Ticket.Status.CLOSED, actor=None)
    escalation = services.service_recovery(ticket_id=assigned_ticket.pk, rating_id=6, stars=1, comment="")
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.status == Ticket.Status.CLOSED
    assert "cannot reopen" in escalation.reason_display


def test_rating_for_a_missing_ticket_is_ignored(db):
    assert services.service_recovery(ticket_id=999999, rating_id=1, stars=1) is None


# --- Rules are data -----------------------------------------------------------------------------


def test_switched_off_rule_does_not_fire(on_shift, queue, customer, supervisor):
    esc.rule(Trigger.COMPLAINT, is_active=False)
    ticket = esc.TicketFactory(queue=queue, customer=customer, kind=Ticket.Kind.COMPLAINT)
    services.sla_start(ticket_id=ticket.pk)
    services.sla_sweep(now=ticket.created_at + timedelta(days=2))
    assert not Escalation.objects.exists()


def test_queue_rule_overrides_the_all_queues_rule(on_shift, team, queue, customer, supervisor):
    esc.rule(Trigger.SERVICE_RECOVERY, max_stars=2)
    esc.rule(Trigger.SERVICE_RECOVERY, queue=queue, max_stars=3)
    other_queue = esc.factories.QueueFactory(team=team)
    strict = esc.TicketFactory(queue=queue, customer=customer)
    lenient = esc.TicketFactory(queue=other_queue, customer=customer)
    services.service_recovery(ticket_id=strict.pk, rating_id=1, stars=3)
    services.service_recovery(ticket_id=lenient.pk, rating_id=2, stars=3)
    assert list(Escalation.objects.values_list("ticket_id", flat=True)) == [strict.pk]


def test_rule_parameters_are_validated(queue):
    from django.core.exceptions import ValidationError

    rule = esc.rule(Trigger.COMPLAINT)
    rule.parameters = {"target_hours": -1}
    with pytest.raises(ValidationError):
        rule.clean()
    rule.parameters = {"reopen_count": 2}
    with pytest.raises(ValidationError):
        rule.clean()


def test_ticket_reclassified_as_complaint_starts_its_clock_on_the_next_message(
        on_shift, assigned_ticket, agent, supervisor, django_capture_on_commit_callbacks):
    esc.rule(Trigger.COMPLAINT, target_hours=1)
    services.sla_start(ticket_id=assigned_ticket.pk)
    ticket_services.ticket_update(ticket=assigned_ticket, actor=agent, kind=Ticket.Kind.COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_add(ticket=assigned_ticket, body="Looking into it", author_user=agent)
        ticket_services.message_add(ticket=assigned_ticket, body="Still on it", author_user=agent)
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(minutes=61))
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(minutes=62))
    assert escalations_of(assigned_ticket, Trigger.COMPLAINT).count() == 1
    assert not services.complaint_arm(ticket_id=assigned_ticket.pk)
