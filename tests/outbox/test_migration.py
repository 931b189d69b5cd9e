"""The upgrade moves every app's send bookkeeping into the outbox: what was waiting still goes out once,
what went out stays sent with its Message-ID, what failed stays visible, and nothing is sent twice.

Rows are written as they were before (the historical models of feedback 0005, tickets 0012 and
escalation 0009, before the outbox existed), then the migrations run forward and a worker drains. The walk is
done once for the module (it takes seconds); each test works on its rows in a transaction of its own.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outbox import services as outbox
from outbox.models import Delivery
from tests import factories
from tests.migration_walk import rows_written_in
from tickets import events

# The last migrations before the outbox; unapplying the outbox unapplies every migration that needs it.
OLD_SCHEMA = [("feedback", "0005_weekly_summary_to_reports"), ("tickets", "0012_people_moved_to_accounts"),
              ("escalation", "0009_people_in_accounts")]
BEFORE = [("outbox", None), *OLD_SCHEMA]


@pytest.fixture(scope="module")
def upgraded(django_db_setup, django_db_blocker):
    with rows_written_in(BEFORE, _write_rows_before_the_outbox, django_db_blocker) as rows:
        yield rows


@pytest.fixture
def old_rows(upgraded, db):
    return upgraded


def _write_rows_before_the_outbox(old) -> dict:
    Survey = old.get_model("feedback", "Survey")
    Relationship = old.get_model("feedback", "RelationshipSurvey")
    Log = old.get_model("tickets", "NotificationLog")
    Notice = old.get_model("escalation", "Notification")
    team = factories.TeamFactory()
    queue = factories.QueueFactory(team=team)
    supervisor = factories.supervisor_of(team)
    now = timezone.now()
    with events.muted():  # the old schema has no outbox: nothing may be scheduled by the current code
        tickets = [factories.TicketFactory(queue=queue) for _ in range(6)]
    old.get_model("tickets", "Ticket").objects.filter(pk__in=[t.pk for t in tickets]).update(status="resolved")
    rows = {}

    def survey(name, ticket, **fields):
        rows[name] = Survey.objects.create(ticket_id=ticket.pk, customer_id=ticket.customer_id, language="en",
                                           **fields).pk

    survey("due", tickets[0], state="scheduled", due_at=now - timedelta(minutes=1))
    survey("later", tickets[1], state="scheduled", due_at=now + timedelta(hours=1))
    survey("accepted", tickets[2], state="sending", due_at=now - timedelta(minutes=9),
           claimed_at=now - timedelta(minutes=9), message_id="<dd.accepted@x>", attempts=0)
    survey("sent", tickets[3], state="sent", due_at=now - timedelta(days=1), sent_at=now - timedelta(days=1),
           message_id="<dd.sent@x>", attempts=1)
    survey("failed", tickets[4], state="failed", attempts=5, last_error="SMTPDataError: (554, b'refused')")
    survey("skipped", tickets[5], state="skipped", skip_reason="spam")
    rows["relationship"] = Relationship.objects.create(customer_id=tickets[0].customer_id, state="scheduled").pk
    rows["log_pending"] = Log.objects.create(kind="confirmation", ticket_id=tickets[0].pk).pk
    rows["log_sent"] = Log.objects.create(kind="confirmation", ticket_id=tickets[1].pk, state="sent", attempts=1,
                                          recipient="a@example.com", email_message_id="<dd.c@x>", sent_at=now).pk
    rows["log_held"] = Log.objects.create(kind="confirmation", ticket_id=tickets[2].pk, state="skipped", attempts=1,
                                          last_error="held for review (dmarc_failed): no confirmation").pk
    rows["notice_unsent"] = Notice.objects.create(key="a", recipient_id=supervisor.pk, kind="routed", text="x").pk
    rows["notice_sent"] = Notice.objects.create(key="b", recipient_id=supervisor.pk, kind="routed", text="y",
                                                sent_at=now, attempts=1).pk
    return rows


def _delivery_of(model, pk) -> Delivery:
    return Delivery.objects.get(pk=model.objects.filter(pk=pk).values_list("delivery_id", flat=True).get())


def test_every_row_gets_its_delivery_with_what_it_knew(old_rows):
    from escalation.models import Notification
    from feedback.models import Survey
    from tickets.models import NotificationLog

    due = _delivery_of(Survey, old_rows["due"])
    reference = Survey.objects.get(pk=old_rows["due"]).ticket.reference
    assert (due.kind, due.state, due.reference) == ("survey", "pending", reference)
    sent = _delivery_of(Survey, old_rows["sent"])
    assert (sent.state, sent.message_id, sent.attempts) == ("sent", "<dd.sent@x>", 1)
    failed = _delivery_of(Survey, old_rows["failed"])
    assert (failed.state, failed.attempts) == ("failed", 5) and "554" in failed.last_error
    assert Survey.objects.get(pk=old_rows["skipped"]).delivery_id is None
    assert Survey.objects.get(pk=old_rows["accepted"]).state == Survey.State.SCHEDULED  # no `sending` any more
    held = _delivery_of(NotificationLog, old_rows["log_held"])
    assert (held.state, held.cancel_reason) == ("cancelled", "held_for_review")
    assert _delivery_of(NotificationLog, old_rows["log_sent"]).message_id == "<dd.c@x>"
    assert _delivery_of(Notification, old_rows["notice_sent"]).state == "sent"
    assert Delivery.objects.count() == 11  # every row but the skipped survey


def test_what_was_waiting_goes_out_once_after_the_upgrade_and_nothing_else(old_rows):
    from feedback.models import RelationshipSurvey, Survey

    mail.outbox.clear()
    assert outbox.deliveries_send_due(now=timezone.now()) == {"batches": 1, "sent": 4, "recovered": 1}
    # the due survey, the relationship survey, the pending confirmation, the unsent staff notice; the
    # survey the mail server had accepted before the upgrade is finished, not sent again
    assert len(mail.outbox) == 4
    assert Survey.objects.get(pk=old_rows["accepted"]).state == Survey.State.SENT
    assert Survey.objects.get(pk=old_rows["later"]).state == Survey.State.SCHEDULED
    assert RelationshipSurvey.objects.get(pk=old_rows["relationship"]).state == RelationshipSurvey.State.SENT
    assert outbox.deliveries_send_due(now=timezone.now() + timedelta(hours=2)) == {"batches": 1, "sent": 1}
    assert outbox.deliveries_send_due(now=timezone.now() + timedelta(days=1)) == {"batches": 0}
    assert len(mail.outbox) == 5


def test_new_rows_after_the_upgrade_get_ids_of_their_own(old_rows, queue):
    ticket = factories.TicketFactory(queue=queue)
    from tickets.services import notifications

    log = notifications.notification_schedule(kind="confirmation", ticket_id=ticket.pk)
    assert log.delivery_id > max(Delivery.objects.exclude(pk=log.delivery_id).values_list("pk", flat=True))
