"""A low rating always reaches a supervisor (D6), with what the customer said (D3).

The customer's answer to "Where did we go wrong?" travels with the rating into the escalation: its page,
the inbox, the email to the supervisor and the API. A low rating on a ticket that is already escalated for
another reason gives that escalation service recovery's urgency: it ranks as service recovery, its
acknowledgement target becomes service recovery's, its handler is told, and filters find it by either trigger.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from escalation import selectors, services, tasks
from escalation.models import Escalation, Notification, Trigger
from feedback import services as feedback_services
from tests.escalation import factories as esc
from tests.feedback.helpers import resolve, survey_of
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ANSWER = "Nobody called back <b>for a week</b> & the frame was still broken."


@pytest.fixture
def rate(on_shift, assigned_ticket, agent, supervisor, django_capture_on_commit_callbacks):
    """Resolve the ticket and let its customer rate it through the survey service (events run at commit)."""

    def rate_it(stars=2, follow_up=ANSWER, comment="", ticket=assigned_ticket):
        resolve(ticket, agent)
        with django_capture_on_commit_callbacks(execute=True):
            feedback_services.rating_submit(survey_id=survey_of(ticket).pk, stars=stars, follow_up=follow_up,
                                            comment=comment)
        return Escalation.objects.get(ticket=ticket, state__in=Escalation.OPEN_STATES)

    return rate_it


# --- The customer's answer reaches the supervisor (13.2) ----------------------------------------


def test_low_rating_brings_the_customers_answer_to_the_escalation(rate):
    escalation = rate(follow_up=ANSWER, comment="Also: rude.")
    assert (escalation.trigger, escalation.rating_stars) == (Trigger.SERVICE_RECOVERY, 2)
    assert escalation.rating_follow_up == ANSWER
    assert escalation.rating_comment == "Also: rude."


def test_escalation_page_shows_the_customers_answer_escaped(rate, client, supervisor):
    escalation = rate()
    client.force_login(supervisor)
    body = client.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    assert "Where did we go wrong?" in body
    assert "Nobody called back &lt;b&gt;for a week&lt;/b&gt; &amp; the frame was still broken." in body
    assert "<b>for a week</b>" not in body


def test_inbox_quotes_the_customers_answer_the_readers_way(rate, client, supervisor):
    supervisor.profile.language = "et"
    supervisor.profile.save(update_fields=["language"])
    rate(follow_up="Keegi ei helistanud.")
    client.force_login(supervisor)
    body = client.get(reverse("escalation:inbox")).content.decode()
    assert "„Keegi ei helistanud.“" in body and "“Keegi" not in body


def test_inbox_shows_the_customers_answer_escaped(rate, client, supervisor):
    rate()
    client.force_login(supervisor)
    body = client.get(reverse("escalation:inbox")).content.decode()
    assert "Nobody called back &lt;b&gt;for a week&lt;/b&gt;" in body
    assert "<b>for a week</b>" not in body


def test_email_to_the_supervisor_carries_the_customers_answer(rate, supervisor):
    escalation = rate()
    notification = Notification.objects.get(recipient=supervisor, escalation=escalation)
    mail.outbox.clear()
    assert tasks.notification_send(notification.pk) is True
    assert ANSWER in mail.outbox[0].body


def test_api_escalation_carries_the_customers_answer(rate, supervisor):
    escalation = rate()
    api = APIClient()
    api.force_authenticate(supervisor)
    detail = api.get(f"/api/v1/escalations/{escalation.pk}/").data
    listed = api.get("/api/v1/escalations/").data
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert detail["rating_follow_up"] == ANSWER
    assert rows[0]["rating_follow_up"] == ANSWER


# --- A low rating on an escalated ticket still reaches someone, urgently (13.3) -------------------


@pytest.fixture
def repeat_contact(assigned_ticket, on_shift, supervisor):
    """The ticket is already escalated for another, slower reason (the demo customer's repeat contact)."""
    escalation, created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.REPEAT_CONTACT,
                                                    reason_text="3 tickets in 7 days")
    assert created
    return escalation


def test_low_rating_on_an_escalated_ticket_ranks_as_service_recovery(repeat_contact, rate, queue, customer,
                                                                      supervisor):
    clock = services.escalation_raise(ticket=esc.TicketFactory(queue=queue, customer=customer),
                                      trigger=Trigger.SLA_RESOLUTION)[0]
    escalation = rate()
    assert escalation.pk == repeat_contact.pk
    assert escalation.trigger == Trigger.SERVICE_RECOVERY
    assert escalation.rating_follow_up == ANSWER
    assert [e.pk for e in selectors.inbox_for(supervisor)][:1] == [escalation.pk]
    assert clock.pk in [e.pk for e in selectors.inbox_for(supervisor)]


def test_low_rating_on_an_escalated_ticket_takes_service_recoverys_ack_deadline(repeat_contact, rate):
    assert repeat_contact.ack_due_at - repeat_contact.created_at == timedelta(minutes=60)
    escalation = rate()
    recovery_deadline = escalation.events.get(trigger=Trigger.SERVICE_RECOVERY).created_at + timedelta(minutes=15)
    assert escalation.ack_due_at == recovery_deadline


def test_low_rating_on_an_escalated_ticket_notifies_its_handler(repeat_contact, rate, supervisor):
    before = Notification.objects.filter(recipient=supervisor).count()
    escalation = rate()
    assert escalation.assigned_to == supervisor
    notification = Notification.objects.filter(recipient=supervisor).order_by("-pk").first()
    assert Notification.objects.filter(recipient=supervisor).count() == before + 1
    assert notification.kind == Notification.Kind.LOW_RATING
    mail.outbox.clear()
    tasks.notification_send(notification.pk)
    assert ANSWER in mail.outbox[0].body


def test_low_rating_on_an_acknowledged_escalation_notifies_its_handler(repeat_contact, rate, supervisor):
    services.escalation_acknowledge(escalation=repeat_contact, actor=supervisor)
    escalation = rate()
    assert escalation.trigger == Trigger.SERVICE_RECOVERY
    assert Notification.objects.filter(recipient=supervisor, kind=Notification.Kind.LOW_RATING).count() == 1


def test_low_rating_on_an_unassigned_escalation_routes_it(assigned_ticket, on_shift, rate, supervisor):
    esc.away(supervisor)
    escalation, _created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.REPEAT_CONTACT)
    Escalation.objects.filter(pk=escalation.pk).update(assigned_to=None, ack_due_at=None)
    supervisor.profile.is_away = False
    supervisor.profile.save(update_fields=["is_away"])
    escalation = rate()
    assert escalation.assigned_to == supervisor
    assert escalation.ack_due_at is not None
    assert Notification.objects.filter(recipient=supervisor, escalation=escalation).exists()


def test_trigger_filter_finds_an_escalation_by_a_trigger_added_later(repeat_contact, rate, supervisor):
    escalation = rate()
    api = APIClient()
    api.force_authenticate(supervisor)

    def ids(trigger):
        data = api.get("/api/v1/escalations/", {"trigger": trigger}).data
        return [row["id"] for row in (data["results"] if isinstance(data, dict) else data)]

    assert ids("service_recovery") == [escalation.pk]
    assert ids("repeat_contact") == [escalation.pk]
    assert ids("complaint") == []


def test_repeat_contact_does_not_fire_again_after_a_low_rating_joined_its_escalation(repeat_contact, rate,
                                                                                     assigned_ticket, supervisor):
    escalation = rate()
    services.escalation_resolve(escalation=escalation, actor=supervisor)
    Ticket.objects.filter(pk=assigned_ticket.pk).update(reopen_count=5)
    assert services.repeat_contact_on_reopen(ticket_id=assigned_ticket.pk) is None
    assert Escalation.objects.filter(ticket=assigned_ticket).count() == 1

