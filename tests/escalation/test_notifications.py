"""Notifications: a row written with its cause, its email a row of the outbox sent after commit, once."""

import time

import pytest
from django.core import mail

from escalation import services, tasks
from escalation.models import Notification, Trigger
from outbox import services as outbox
from outbox.models import Delivery

pytestmark = pytest.mark.django_db


def test_routing_writes_a_notification_for_the_supervisor(on_shift, assigned_ticket, agent, supervisor):
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent, reason_text="help")
    notification = Notification.objects.get(recipient=supervisor)
    assert notification.kind == Notification.Kind.ROUTED
    assert assigned_ticket.reference in notification.text_display


def test_sending_twice_sends_one_email(on_shift, assigned_ticket, agent, supervisor):
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent, reason_text="help")
    notification = Notification.objects.get(recipient=supervisor)
    assert tasks.notification_send(notification.pk) is True
    assert tasks.notification_send(notification.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [supervisor.email]
    assert f"/escalations/{notification.escalation_id}/" in mail.outbox[0].body


def test_task_for_a_deleted_notification_logs_and_returns(db):
    assert tasks.notification_send(987654) is False


def test_the_outbox_sweep_sends_what_the_beat_task_queued(on_shift, assigned_ticket, agent, supervisor):
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent, reason_text="help")
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}
    assert not Notification.objects.exclude(delivery__state=Delivery.State.SENT).exists()
    assert [m.to for m in mail.outbox] == [[supervisor.email]]


def test_the_email_is_in_the_recipients_language_with_a_signed_message_id(on_shift, assigned_ticket, agent,
                                                                         supervisor):
    supervisor.profile.language = "et"
    supervisor.profile.save()
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent, reason_text="help")
    notification = Notification.objects.get(recipient=supervisor)
    outbox.deliveries_send_due()
    [email] = mail.outbox
    notification.delivery.refresh_from_db()
    assert email.extra_headers["Message-ID"] == notification.delivery.message_id
    assert email.extra_headers["Message-ID"].startswith(f"<dd.{assigned_ticket.reference}.esc{notification.pk}.")
    assert email.subject != ""


def test_same_key_notifies_once(supervisor, assigned_ticket):
    for _ in range(2):
        services.notify(key="k1", recipient=supervisor, kind=Notification.Kind.ROUTED, text="x",
                        ticket=assigned_ticket)
    assert Notification.objects.filter(key="k1").count() == 1


def test_recipient_without_email_is_not_retried_and_says_why(supervisor, assigned_ticket):
    supervisor.email = ""
    supervisor.save()
    notification = services.notify(key="k2", recipient=supervisor, kind=Notification.Kind.ROUTED, text="x")
    assert tasks.notification_send(notification.pk) is False
    notification.delivery.refresh_from_db()
    assert (notification.delivery.state, notification.delivery.cancel_reason) == (Delivery.State.CANCELLED, "no_email")
    assert not mail.outbox


@pytest.mark.worker
def test_a_real_worker_emails_the_supervisor_after_commit(celery_worker, team, queue, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from tests.escalation import factories as esc

    esc.always_open_calendar(team)
    supervisor = esc.supervisor_of(team)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, reason_text="help")

    def sent(seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if Notification.objects.filter(recipient=supervisor, delivery__state=Delivery.State.SENT).exists():
                return True
            time.sleep(0.2)
        return False

    # Each test run has its own broker folder (or Redis database): the kick after commit must arrive.
    assert sent(30)
