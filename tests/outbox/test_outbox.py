"""The one outbox: every email the desk sends is a row claimed once, sent on one connection per batch,
retried on its due time, failed visibly, and sent again by staff from one list of everything outgoing.

Driven through real kinds (the survey after a ticket, a ticket's notifications), as a worker does it.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Survey
from outbox import services as outbox
from outbox import tasks
from outbox.models import Delivery
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, survey_of
from tickets.models import NotificationLog
from tickets.services import notifications

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
smtp_sink, smtp_refusing, survey_mails = ff.smtp_sink, ff.smtp_refusing, ff.survey_mails
LATER = timedelta(hours=2)
DS = Delivery.State


def surveyed(queue, agent, count: int = 1) -> list[Survey]:
    tickets = [new_ticket(queue) for _ in range(count)]
    for ticket in tickets:
        resolve(ticket, agent)
    return [survey_of(ticket) for ticket in tickets]


def confirmation_of(queue) -> Delivery:
    ticket = factories.TicketFactory(queue=queue)
    return notifications.notification_schedule(kind=NotificationLog.Kind.CONFIRMATION, ticket_id=ticket.pk).delivery


# --- Claims ---------------------------------------------------------------------------------------


def test_a_claim_takes_due_rows_in_due_order_and_never_the_same_row_twice(queue, agent):
    first, second = surveyed(queue, agent, 2)
    Delivery.objects.filter(pk=second.delivery_id).update(due_at=timezone.now() - timedelta(minutes=5))
    claim = outbox.deliveries_claim_due(now=timezone.now() + LATER)
    assert claim.ids == [second.delivery_id, first.delivery_id]
    assert set(Delivery.objects.values_list("state", flat=True)) == {DS.SENDING}
    assert outbox.deliveries_claim_due(now=timezone.now() + LATER).ids == []


def test_a_row_not_due_yet_is_not_claimed(queue, agent):
    surveyed(queue, agent)  # SURVEY_DELAY_SECONDS=3600
    assert outbox.deliveries_claim_due().ids == []


def test_a_claim_whose_worker_died_is_claimed_again_after_the_stale_window(queue, agent):
    [survey] = surveyed(queue, agent)
    now = timezone.now() + LATER
    assert outbox.deliveries_claim_due(now=now).ids == [survey.delivery_id]
    assert outbox.deliveries_claim_due(now=now + timedelta(minutes=4)).ids == []  # still fresh
    assert outbox.deliveries_claim_due(now=now + timedelta(minutes=6)).ids == [survey.delivery_id]


def test_a_worker_whose_claim_was_taken_over_sends_nothing(queue, agent):
    surveyed(queue, agent)
    first = outbox.deliveries_claim_due(now=timezone.now() + LATER)
    second = outbox.deliveries_claim_due(now=first.at + timedelta(minutes=10))  # the first went stale
    assert outbox.deliveries_send_claimed(first) == {}  # the first worker, late
    assert survey_mails() == []
    assert outbox.deliveries_send_claimed(second) == {"sent": 1}
    assert len(survey_mails()) == 1


def test_a_message_accepted_before_its_worker_died_is_marked_sent_not_sent_again(queue, agent):
    [survey] = surveyed(queue, agent)
    claim = outbox.deliveries_claim_due(now=timezone.now() + LATER)
    # The worker handed it to the mail server, wrote the acceptance, and was killed before the batch closed.
    Delivery.objects.filter(pk=survey.delivery_id).update(sent_at=claim.at, message_id="<accepted@x>")
    assert outbox.deliveries_send_due(now=claim.at + timedelta(minutes=1)) == {"batches": 0}  # claim still fresh
    assert outbox.deliveries_send_due(now=claim.at + timedelta(minutes=10)) == {"batches": 1, "recovered": 1}
    survey = survey_of(survey.ticket)
    assert survey.state == Survey.State.SENT and survey.delivery.state == DS.SENT and survey_mails() == []


# --- Sending ----------------------------------------------------------------------------------------


def test_a_batch_of_every_kind_goes_out_on_one_smtp_connection(smtp_sink, queue, agent):
    surveyed(queue, agent, 3)
    confirmation = confirmation_of(queue)
    assert outbox.deliveries_send_due(now=timezone.now() + LATER) == {"batches": 1, "sent": 4}
    assert len(smtp_sink.messages) == 4 and smtp_sink.sessions == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {DS.SENT}
    confirmation.refresh_from_db()
    assert confirmation.message_id.encode() in b"".join(smtp_sink.messages)


def test_a_task_delivered_twice_sends_once_and_a_second_drain_finds_nothing(queue, agent, mailoutbox):
    confirmation = confirmation_of(queue)
    assert tasks.send.apply(args=[confirmation.pk]).get() == "sent"
    assert tasks.send.apply(args=[confirmation.pk]).get() == "already sent"
    assert tasks.send_due.apply().get() == {"batches": 0}
    assert len(mailoutbox) == 1


def test_a_task_for_a_row_that_no_longer_exists_says_so(db):
    assert tasks.send.apply(args=[987654]).get() == "missing"


def test_a_row_whose_cause_was_deleted_is_cancelled_as_gone(queue, mailoutbox):
    confirmation = confirmation_of(queue)
    NotificationLog.objects.filter(delivery=confirmation).delete()
    assert outbox.deliveries_send_due() == {"batches": 1, "cancelled": 1}
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.cancel_reason) == (DS.CANCELLED, "gone") and mailoutbox == []


# --- Failures -------------------------------------------------------------------------------------


def test_every_kind_is_retried_on_its_due_time_with_one_backoff_then_failed(smtp_refusing, queue, agent):
    [survey] = surveyed(queue, agent)
    confirmation = confirmation_of(queue)
    Delivery.objects.update(due_at=timezone.now())
    now, delays = timezone.now(), []
    for _attempt in range(4):
        assert outbox.deliveries_send_due(now=now) == {"batches": 1, "retry": 2}
        due = set(Delivery.objects.values_list("due_at", flat=True))
        assert len(due) == 1  # both kinds: the same wait
        delays.append((due.pop() - now).total_seconds())
        now += timedelta(seconds=delays[-1])
    assert outbox.deliveries_send_due(now=now) == {"batches": 1, "failed": 2}
    assert delays == [60, 120, 240, 480]
    for delivery in Delivery.objects.filter(pk__in=[survey.delivery_id, confirmation.pk]):
        assert (delivery.state, delivery.attempts) == (DS.FAILED, 5) and "554" in delivery.last_error
    assert survey_of(survey.ticket).state == Survey.State.FAILED  # the survey knows
    assert outbox.deliveries_send_due(now=now + timedelta(days=2)) == {"batches": 0}  # until staff retry
    assert smtp_refusing.messages == []


@pytest.fixture
def failed(settings, smtp_refusing, queue, agent):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    [survey] = surveyed(queue, agent)
    confirmation = confirmation_of(queue)
    assert outbox.deliveries_send_due(now=timezone.now() + LATER) == {"batches": 1, "failed": 2}
    return survey, confirmation


def test_staff_send_failed_messages_again_from_the_list_of_everything_outgoing(client, admin_user, failed,
                                                                              smtp_sink):
    survey, confirmation = failed
    client.force_login(admin_user)
    page = client.get(reverse("admin:outbox_delivery_changelist") + "?state=failed").content.decode()
    assert "554" in page and "Survey after a ticket" in page and "Ticket confirmation to the customer" in page
    response = client.post(
        reverse("admin:outbox_delivery_changelist"),
        {"action": "send_again", "_selected_action": [survey.delivery_id, confirmation.pk]},
        follow=True,
    )
    assert "2 messages are back in the outbox." in response.content.decode()
    assert survey_of(survey.ticket).state == Survey.State.SCHEDULED  # the survey is told
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 2}
    assert len(smtp_sink.messages) == 2


def test_the_list_of_everything_outgoing_costs_the_same_queries_however_long(client, admin_user, queue, agent,
                                                                             django_assert_max_num_queries):
    client.force_login(admin_user)
    surveyed(queue, agent, 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("admin:outbox_delivery_changelist")).status_code == 200
    surveyed(queue, agent, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("admin:outbox_delivery_changelist")).status_code == 200
