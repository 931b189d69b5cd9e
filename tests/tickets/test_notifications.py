"""Notification emails: rows of the outbox written after commit (never for a rolled-back change), sent
once, in the recipient's language, retried on the row's due time after an SMTP failure, and never
carrying an internal note."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox import services as outbox
from outbox.models import Delivery
from tests import factories
from tickets import services
from tickets.models import Message, NotificationLog, Ticket
from tickets.services import notifications
from tickets.services.email_intake import ticket_create_from_email
from tickets.services.intake import ticket_create_from_form
from tickets.tasks import notify_assignee_of_customer_reply, notify_customer_of_reply, send_ticket_confirmation

pytestmark = pytest.mark.django_db
K = NotificationLog.Kind


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dutch_ticket(queue):
    customer = factories.CustomerFactory(email="jan@example.nl", name="Jan de Vries", language="nl")
    return factories.TicketFactory(queue=queue, customer=customer, subject="Factuur", language="nl")


def reply(ticket, agent, body="Your refund is on its way.", kind=Message.Kind.REPLY):
    return services.message_add(ticket=ticket, body=body, author_user=agent, kind=kind)


# --- scheduling after commit -----------------------------------------------------------------------


def test_a_public_staff_reply_schedules_a_customer_notification_after_commit(dutch_ticket, agent,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(dutch_ticket, agent)
        assert not NotificationLog.objects.filter(kind=K.REPLY_TO_CUSTOMER).exists()  # not before commit
    log = NotificationLog.objects.get(kind=K.REPLY_TO_CUSTOMER)
    assert (log.message, log.delivery.state) == (message, Delivery.State.PENDING)
    assert (log.delivery.kind, log.delivery.reference) == (K.REPLY_TO_CUSTOMER, dutch_ticket.reference)


def test_nothing_is_scheduled_when_the_transaction_rolls_back(dutch_ticket, agent,
                                                              django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reply(dutch_ticket, agent)
        raise RuntimeError("the view failed after the reply")
    assert callbacks == []
    assert not NotificationLog.objects.filter(kind=K.REPLY_TO_CUSTOMER).exists()
    assert not Message.objects.exists()


def test_an_internal_note_schedules_nothing(dutch_ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply(dutch_ticket, agent, body="SECRET note", kind=Message.Kind.NOTE)
    assert not NotificationLog.objects.filter(message__isnull=False).exists()


def test_a_customer_reply_on_an_assigned_ticket_schedules_the_assignee_notification(
        dutch_ticket, agent, django_capture_on_commit_callbacks):
    services.ticket_assign(ticket=dutch_ticket, assignee=agent, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_add(ticket=dutch_ticket, body="Any news?", author_customer=dutch_ticket.customer)
    assert NotificationLog.objects.get(kind=K.CUSTOMER_REPLIED).message == message


def test_a_customer_reply_on_an_unassigned_ticket_notifies_nobody(dutch_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(ticket=dutch_ticket, body="Any news?", author_customer=dutch_ticket.customer)
    assert not NotificationLog.objects.filter(kind=K.CUSTOMER_REPLIED).exists()


@pytest.mark.parametrize(("channel", "confirmed"), [("web", True), ("email", True), ("api", True), ("phone", False)])
def test_a_confirmation_is_scheduled_for_customer_channels_only(queue, django_capture_on_commit_callbacks, channel,
                                                               confirmed):
    with django_capture_on_commit_callbacks(execute=True):
        factories.TicketFactory(queue=queue, channel=channel)
    assert NotificationLog.objects.filter(kind=K.CONFIRMATION).exists() is confirmed


# --- what the emails say ---------------------------------------------------------------------


def test_the_confirmation_carries_the_reference_and_a_working_follow_link(client, queue, mailoutbox):
    ticket = ticket_create_from_form(name="Mari", email="mari@example.ee", subject="Parcel", description="Lost.")
    assert send_ticket_confirmation(ticket.pk) is True
    email = mailoutbox[0]
    assert email.to == ["mari@example.ee"]
    assert ticket.reference in email.subject
    assert email.extra_headers["Message-ID"] == notifications.confirmation_message_id(ticket)
    assert email.extra_headers["Message-ID"].startswith(f"<dd.{ticket.reference}.c{ticket.pk}.")
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    link = next(line for line in email.body.splitlines() if "/t/" in line).strip()
    assert client.get(link.split("127.0.0.1:8000", 1)[-1]).status_code == 200


def test_the_reply_email_is_in_the_customer_s_language_with_the_reply_and_the_link(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent)
    assert notify_customer_of_reply(message.pk) is True
    email = mailoutbox[0]
    assert email.to == ["jan@example.nl"]
    assert email.extra_headers["Content-Language"] == "nl"
    assert "Your refund is on its way." in email.body
    assert "/t/" in email.body
    assert email.subject.startswith(f"[{dutch_ticket.reference}]")
    html = email.alternatives[0][0]
    assert "Your refund is on its way." in html


def test_user_text_is_escaped_in_the_html_part(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent, body="<img src=x onerror=alert(1)>")
    notify_customer_of_reply(message.pk)
    assert "<img src=x" not in mailoutbox[0].alternatives[0][0]
    assert "<img src=x onerror=alert(1)>" in mailoutbox[0].body  # the text part is text


def test_a_reply_email_never_contains_an_internal_note(dutch_ticket, agent, mailoutbox):
    reply(dutch_ticket, agent, body="SECRET: customer is difficult", kind=Message.Kind.NOTE)
    message = reply(dutch_ticket, agent)
    notify_customer_of_reply(message.pk)
    email = mailoutbox[0]
    assert "SECRET" not in email.body
    assert "SECRET" not in email.alternatives[0][0]


def test_the_task_refuses_to_email_a_note_even_when_asked_directly(dutch_ticket, agent, mailoutbox):
    note = reply(dutch_ticket, agent, body="SECRET note", kind=Message.Kind.NOTE)
    assert notify_customer_of_reply(note.pk) is False
    assert mailoutbox == []
    delivery = NotificationLog.objects.get(message=note).delivery
    assert (delivery.state, delivery.cancel_reason) == (Delivery.State.CANCELLED, "not_a_public_reply")


def test_the_sent_message_id_is_stored_on_the_message_for_threading(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent)
    notify_customer_of_reply(message.pk)
    message.refresh_from_db()
    expected = notifications.outgoing_message_id(dutch_ticket, "r", message.pk)
    assert message.email_message_id == expected == mailoutbox[0].extra_headers["Message-ID"]
    assert mailoutbox[0].extra_headers["In-Reply-To"] == notifications.confirmation_message_id(dutch_ticket)


def test_the_customer_s_email_answer_to_a_notification_lands_on_the_ticket(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent)
    notify_customer_of_reply(message.pk)
    sent = mailoutbox[0]
    answer = (
        f"From: Jan de Vries <jan@example.nl>\r\nTo: support@delightdesk.localhost\r\n"
        f"Subject: Re: {sent.subject}\r\nMessage-ID: <answer-1@example.nl>\r\n"
        f"In-Reply-To: {sent.extra_headers['Message-ID']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Dank je wel!\r\n\r\n> {sent.body.splitlines()[0]}\r\n"
    ).encode()
    result = ticket_create_from_email(raw=answer)
    assert result.inbound.ticket == dutch_ticket
    assert dutch_ticket.messages.filter(author_customer__isnull=False).get().body == "Dank je wel!"


def test_the_assignee_gets_the_customer_s_reply_with_a_link_to_the_ticket(dutch_ticket, agent, mailoutbox):
    services.ticket_assign(ticket=dutch_ticket, assignee=agent, actor=agent)
    message = services.message_add(ticket=dutch_ticket, body="Still broken", author_customer=dutch_ticket.customer)
    assert notify_assignee_of_customer_reply(message.pk) is True
    email = mailoutbox[0]
    assert email.to == [agent.email]
    assert "Still broken" in email.body
    assert dutch_ticket.reference in email.body


def test_a_notification_is_sent_once_however_often_its_task_runs(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent)
    assert notify_customer_of_reply(message.pk) is True
    assert notify_customer_of_reply(message.pk) is False
    assert len(mailoutbox) == 1
    delivery = NotificationLog.objects.get(message=message).delivery
    assert (delivery.state, delivery.recipient, delivery.attempts) == (Delivery.State.SENT, "jan@example.nl", 1)


def test_a_task_for_a_row_that_no_longer_exists_does_nothing(db, mailoutbox):
    assert notify_customer_of_reply(987654) is False
    assert send_ticket_confirmation(987654) is False
    assert mailoutbox == []


def test_a_customer_without_a_real_address_is_skipped(queue, mailoutbox):
    customer = factories.CustomerFactory(email="walkin@example.invalid")
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    assert send_ticket_confirmation(ticket.pk) is False
    delivery = NotificationLog.objects.get(ticket=ticket).delivery
    assert (delivery.state, delivery.cancel_reason) == (Delivery.State.CANCELLED, "no_email")


# --- failures and retries ------------------------------------------------------------------------


@pytest.fixture
def unreachable_smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens on 1


def test_an_smtp_failure_is_recorded_on_the_row_and_retried_on_its_due_time(dutch_ticket, agent, unreachable_smtp):
    message = reply(dutch_ticket, agent)
    result = notify_customer_of_reply.apply(args=[message.pk])  # no Celery retry: the row is the retry
    assert result.successful() and result.get() is False
    delivery = NotificationLog.objects.get(message=message).delivery
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert delivery.due_at > timezone.now() + timedelta(seconds=50)  # the first backoff: a minute
    assert "Connection refused" in delivery.last_error or "Error" in delivery.last_error


def test_a_notification_backs_off_like_every_outgoing_email_then_fails_visibly(dutch_ticket, agent,
                                                                              unreachable_smtp):
    message = reply(dutch_ticket, agent)
    log = notifications.notification_schedule(kind=K.REPLY_TO_CUSTOMER, ticket_id=dutch_ticket.pk,
                                              message_id=message.pk)
    now, delays = timezone.now(), []
    for _attempt in range(5):
        outcomes = outbox.deliveries_send_due(now=now)
        delivery = Delivery.objects.get(pk=log.delivery_id)
        if delivery.state == Delivery.State.PENDING:
            assert outcomes == {"batches": 1, "retry": 1}
            delays.append((delivery.due_at - now).total_seconds())
            now = delivery.due_at
    assert delays == [60, 120, 240, 480]
    assert (delivery.state, delivery.attempts) == (Delivery.State.FAILED, 5)
    assert outbox.deliveries_send_due(now=now + timedelta(days=1)) == {"batches": 0}


def test_a_pending_notification_whose_kick_was_lost_is_sent_by_the_sweep(dutch_ticket, agent, mailoutbox):
    message = reply(dutch_ticket, agent)
    notifications.notification_schedule(kind=K.REPLY_TO_CUSTOMER, ticket_id=dutch_ticket.pk, message_id=message.pk)
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}  # what beat's sweep does
    assert [m.to for m in mailoutbox] == [["jan@example.nl"]]


# --- a real worker ---------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_sends_the_confirmation_after_the_form_commits(celery_worker, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.QueueFactory(is_default=True)
    mail.outbox = []
    ticket = ticket_create_from_form(name="Ana", email="ana@example.es", subject="Pedido", description="No llegó.",
                                     language="es")
    deadline = time.monotonic() + 30
    sent = NotificationLog.objects.filter(ticket=ticket, delivery__state=Delivery.State.SENT)
    # The worker hands the email to the backend, then marks the row sent: wait for both.
    while time.monotonic() < deadline and not (mail.outbox and sent.exists()):
        time.sleep(0.2)
    assert [m.to for m in mail.outbox] == [["ana@example.es"]]
    assert ticket.reference in mail.outbox[0].subject
    assert sent.exists()
    assert Ticket.objects.get(pk=ticket.pk).customer.language == "es"


def test_the_confirmation_of_an_emailed_ticket_answers_the_customer_s_email(queue, mailoutbox):
    raw = (b"From: ana@example.es\r\nSubject: Pedido\r\nMessage-ID: <first@example.es>\r\n\r\nNo lleg\xc3\xb3.\r\n")
    ticket = ticket_create_from_email(raw=raw).inbound.ticket
    send_ticket_confirmation(ticket.pk)
    assert mailoutbox[0].extra_headers["In-Reply-To"] == "<first@example.es>"


def test_confirmations_to_one_address_are_capped_so_a_careless_auto_responder_cannot_loop(queue, mailoutbox):
    customer = factories.CustomerFactory(email="robot@example.com")
    tickets = [factories.TicketFactory(queue=queue, customer=customer) for _ in range(
        notifications.CONFIRMATIONS_PER_HOUR + 1)]
    sent = [send_ticket_confirmation(ticket.pk) for ticket in tickets]
    assert sent == [True] * notifications.CONFIRMATIONS_PER_HOUR + [False]
    assert len(mailoutbox) == notifications.CONFIRMATIONS_PER_HOUR
    assert NotificationLog.objects.get(ticket=tickets[-1]).delivery.cancel_reason == "too_many_confirmations"


def test_the_confirmation_cap_holds_within_one_batch_of_the_outbox(queue, mailoutbox):
    customer = factories.CustomerFactory(email="robot@example.com")
    for _ in range(notifications.CONFIRMATIONS_PER_HOUR + 2):
        ticket = factories.TicketFactory(queue=queue, customer=customer)
        notifications.notification_schedule(kind=K.CONFIRMATION, ticket_id=ticket.pk)
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": notifications.CONFIRMATIONS_PER_HOUR,
                                            "cancelled": 2}
    assert len(mailoutbox) == notifications.CONFIRMATIONS_PER_HOUR


def test_the_html_part_declares_the_customer_s_language(dutch_ticket, agent, mailoutbox):
    notify_customer_of_reply(reply(dutch_ticket, agent).pk)
    assert '<html lang="nl">' in mailoutbox[0].alternatives[0][0]


# --- fresh follow links ----------------------------------------------------------------------------


def _without_csrf(response) -> str:
    """The page without its CSRF tokens (masked differently on every response)."""
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())


def test_fresh_links_reach_a_known_customer_through_the_outbox(client, dutch_ticket, mailoutbox):
    response = client.post("/support/link/", {"email": "JAN@example.nl"})
    assert response.status_code == 200
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}
    [email] = mailoutbox
    assert email.to == ["jan@example.nl"] and dutch_ticket.reference in email.body and "/t/" in email.body
    delivery = Delivery.objects.get(kind="fresh_links")
    assert email.extra_headers["Message-ID"] == delivery.message_id == notifications.desk_message_id(
        f"links{delivery.pk}")


def test_fresh_links_for_an_unknown_address_send_nothing_and_the_page_answers_the_same(client, dutch_ticket,
                                                                                       mailoutbox):
    known = client.post("/support/link/", {"email": "jan@example.nl"})
    unknown = client.post("/support/link/", {"email": "nobody@example.com"})
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert _without_csrf(known) == _without_csrf(unknown)
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1, "cancelled": 1}
    assert [m.to for m in mailoutbox] == [["jan@example.nl"]]
    assert Delivery.objects.get(recipient="nobody@example.com").cancel_reason == "unknown_address"
