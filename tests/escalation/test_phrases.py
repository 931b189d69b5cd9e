"""Sentences the desk composes are stored as a code and its parameters and shown in the reader's language.

An escalation's reason, its routing explanation, its history, the notifications about it, the notes it writes
on the ticket and the ticket timeline's reasons: none is stored as an English sentence. An Estonian supervisor
reads them in Estonian on the page, in the API and in the email; what a person typed stays as typed.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from rest_framework.test import APIClient

from escalation import services, tasks
from escalation.models import Escalation, EscalationEvent, Notification, Trigger
from helpdesk import phrases
from tests.escalation import factories as esc
from tests.feedback.helpers import resolve
from tickets.models import Message, TicketEvent

pytestmark = pytest.mark.django_db

# English sentences the desk composed before; none may reach an Estonian reader.
ENGLISH = ("Contact them at once", "outed to", "team supervisor", "open escalation", "Reopened", "Rated",
           "Service recovery: rated", "needs approval", "Remedy applied", "Remedy approved", "due at")


def estonian(user):
    user.profile.language = "et"
    user.profile.save(update_fields=["language"])
    return user


def english_in(text: str) -> list[str]:
    return [sentence for sentence in ENGLISH if sentence in text]


@pytest.fixture
def recovery(on_shift, assigned_ticket, agent, supervisor):
    """A repeat-contact escalation that a 2-star rating then joined (reopening the resolved ticket)."""
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.REPEAT_CONTACT,
                              reason_phrase=phrases.phrase("escalation.reason.reopened", n=3))
    resolve(assigned_ticket, agent)
    return services.service_recovery(ticket_id=assigned_ticket.pk, rating_id=41, stars=2, comment="",
                                     follow_up="Niemand belde terug.")


def test_a_low_ratings_reason_is_stored_as_a_code_with_its_stars(on_shift, assigned_ticket, agent, supervisor):
    resolve(assigned_ticket, agent)
    escalation = services.service_recovery(ticket_id=assigned_ticket.pk, rating_id=40, stars=2)
    assert escalation.reason_phrase == {"code": "escalation.reason.low_rating", "params": {"stars": 2}}
    assert escalation.reason_text == ""
    assert escalation.reason_display == "Customer rated 2 stars. Contact them at once."
    with translation.override("et"):
        assert "Contact them" not in escalation.reason_display
        assert "2" in escalation.reason_display


def test_the_routing_explanation_is_stored_as_codes_and_rendered_per_reader(on_shift, assigned_ticket, agent,
                                                                           supervisor):
    escalation, _ = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent,
                                              reason_text="Kunde ist wütend")
    stored = Escalation.objects.values_list("routing", flat=True).get(pk=escalation.pk)
    assert stored["code"] == "escalation.routing.explained"
    assert "Routed to" in escalation.routing_explanation
    with translation.override("et"):
        assert english_in(escalation.routing_explanation) == []
        assert supervisor.get_full_name() in escalation.routing_explanation
    assert escalation.reason_display == "Kunde ist wütend"  # typed text stays as typed


def test_an_estonian_supervisor_reads_the_escalation_page_without_english_sentences(recovery, client, supervisor):
    client.force_login(estonian(supervisor))
    body = client.get(reverse("escalation:detail", args=[recovery.pk])).content.decode()
    assert english_in(body) == [], english_in(body)
    assert "Niemand belde terug." in body  # the customer's own words, as written


def test_the_inbox_shows_the_reason_in_the_readers_language(recovery, client, supervisor):
    client.force_login(estonian(supervisor))
    body = client.get(reverse("escalation:inbox")).content.decode()
    assert english_in(body) == [], english_in(body)


def test_the_api_renders_reasons_routing_and_history_in_the_readers_language(recovery, supervisor):
    api = APIClient()
    api.force_authenticate(estonian(supervisor))
    data = api.get(f"/api/v1/escalations/{recovery.pk}/", HTTP_ACCEPT_LANGUAGE="et").data
    shown = " ".join([data["reason_text"], data["routing_explanation"], *(e["note"] for e in data["events"])])
    assert data["reason_text"] and data["routing_explanation"]
    assert english_in(shown) == [], english_in(shown)


def test_the_email_to_an_estonian_supervisor_has_no_english_sentences(recovery, supervisor):
    estonian(supervisor)
    mail.outbox.clear()
    for notification in Notification.objects.filter(recipient=supervisor):
        tasks.notification_send(notification.pk)
    assert mail.outbox
    for message in mail.outbox:
        assert english_in(message.body) == [], english_in(message.body)


def test_sla_warning_shows_the_due_time_in_the_recipients_time_zone_and_language(on_shift, assigned_ticket,
                                                                                agent):
    esc.sla_policy(first_response_hours=2, resolution_hours=8)
    services.sla_start(ticket_id=assigned_ticket.pk)
    estonian(agent)
    agent.profile.time_zone = "Europe/Tallinn"
    agent.profile.save(update_fields=["time_zone"])
    services.sla_sweep(now=assigned_ticket.created_at + timedelta(hours=1, minutes=50))
    notification = Notification.objects.get(recipient=agent, kind=Notification.Kind.SLA_WARNING)
    assert notification.phrase["code"] == "escalation.notice.sla_warning"
    assert notification.text == ""
    mail.outbox.clear()
    tasks.notification_send(notification.pk)
    body = mail.outbox[0].body
    assert english_in(body) == [] and " UTC" not in body
    due = assigned_ticket.created_at + timedelta(hours=2)
    with translation.override("et"), timezone.override("Europe/Tallinn"):
        in_tallinn = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
    with translation.override("et"), timezone.override("UTC"):
        in_utc = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
    assert in_tallinn in body and in_utc not in body


def test_remedy_notes_on_the_ticket_and_history_are_codes(on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=120, actor=agent,
                                     reason="Arrived broken")
    services.remedy_approve(remedy=remedy, actor=supervisor, note="ok")
    notes = list(Message.objects.filter(ticket=assigned_ticket, kind=Message.Kind.NOTE).order_by("pk"))
    assert [n.phrase["code"] for n in notes] == ["escalation.remedy.proposed", "escalation.remedy.approved"]
    assert [n.body for n in notes] == ["Arrived broken", "ok"]
    decided = EscalationEvent.objects.get(kind=EscalationEvent.Kind.REMEDY_APPROVED)
    with translation.override("et"):
        shown = " ".join([*(n.body_display for n in notes), decided.note_display])
    assert english_in(shown) == [], shown
    assert "Arrived broken" in shown


def test_the_ticket_timeline_reason_of_a_recovery_reopening_is_a_code(recovery, assigned_ticket):
    event = TicketEvent.objects.filter(ticket=assigned_ticket, kind=TicketEvent.Kind.REOPENED).latest("pk")
    assert event.reason == ""
    assert event.reason_phrase == {"code": "escalation.reopened_for_recovery", "params": {"stars": 2}}
    with translation.override("et"):
        assert english_in(event.reason_display) == []


def test_amounts_in_the_desks_sentences_follow_the_readers_number_format(on_shift, assigned_ticket, agent):
    esc.limit(kind="refund", max_amount=50, role="agent")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="1234.50", actor=agent,
                                     reason="Arrived broken")
    escalation = remedy.escalation
    note = Message.objects.get(ticket=assigned_ticket, kind=Message.Kind.NOTE)
    with translation.override("et"):
        assert "1234,50 EUR" in escalation.reason_display and "50,00" in note.body_display
    with translation.override("en"):
        assert "1234.50 EUR" in escalation.reason_display and "50.00" in note.body_display
