"""The survey outbox: written with the resolve, sent once, retried, never lost, never doubled."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.db import transaction
from django.utils import timezone

from feedback import services
from feedback.emails import survey_message_id
from feedback.models import Survey
from outbox import tasks as outbox_tasks
from outbox.models import Delivery
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, reopen, resolve, send_due, survey_of, wait_for
from tickets import services as ticket_services
from tickets.models import Ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
smtp_sink, smtp_refusing = ff.smtp_sink, ff.smtp_refusing
ST = Survey.State
LATER = timedelta(hours=2)


delay_zero, survey_mails = ff.delay_zero, ff.survey_mails


def test_resolving_writes_the_survey_in_the_same_transaction(ticket, agent):
    with transaction.atomic():
        resolve(ticket, agent)
        assert survey_of(ticket).state == ST.SCHEDULED  # visible before commit: same transaction
    survey = survey_of(ticket)
    assert survey.delivery.due_at > timezone.now() + timedelta(minutes=59)  # SURVEY_DELAY_SECONDS=3600
    assert survey.delivery.state == Delivery.State.PENDING and survey.delivery.kind == "survey"
    assert survey.agent == agent and survey.customer == ticket.customer


def test_a_rolled_back_resolve_leaves_no_survey(ticket, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        resolve(ticket, agent)
        raise RuntimeError("the resolve fails after the survey was written")
    assert not Survey.objects.filter(ticket=ticket).exists()
    assert not Delivery.objects.exists()


def test_survey_is_sent_once_after_the_delay(ticket, agent):
    resolve(ticket, agent)
    assert send_due() == []  # not due yet
    assert send_due(timezone.now() + LATER) == ["sent"]
    assert send_due(timezone.now() + LATER) == []
    assert len(survey_mails()) == 1
    survey = survey_of(ticket)
    assert survey.state == ST.SENT and survey.sent_at is not None
    assert (survey.delivery.state, survey.delivery.attempts) == (Delivery.State.SENT, 1)


@pytest.mark.worker
def test_survey_is_sent_once_after_resolve_through_a_real_worker(celery_worker, delay_zero, queue, agent):
    ticket = new_ticket(queue)
    resolve(ticket, agent)  # transactional_db: commits, so the task is enqueued after commit
    assert wait_for(lambda: survey_of(ticket).state == ST.SENT)
    outbox_tasks.send_due.delay()  # a beat sweep afterwards finds nothing more to send
    outbox_tasks.send.delay(survey_of(ticket).delivery_id)  # nor does a duplicate delivery of a task
    wait_for(lambda: False, timeout=2)
    assert [m.to for m in survey_mails()] == [[ticket.customer.email]]


def test_survey_is_not_sent_when_the_ticket_is_reopened_within_the_delay(ticket, agent):
    resolve(ticket, agent)
    reopen(ticket, agent)
    assert send_due(timezone.now() + LATER) == []
    survey = survey_of(ticket)
    assert (survey.state, survey.skip_reason) == (ST.SKIPPED, Survey.SkipReason.REOPENED)
    assert (survey.delivery.state, survey.delivery.cancel_reason) == (Delivery.State.CANCELLED, "reopened")
    assert survey_mails() == []


def test_a_reopened_ticket_is_checked_again_at_send_time(ticket, agent):
    resolve(ticket, agent)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.OPEN)  # reopened by a path we did not see
    assert send_due(timezone.now() + LATER) == ["cancelled"]
    assert (survey_of(ticket).state, survey_of(ticket).skip_reason) == (ST.SKIPPED, Survey.SkipReason.REOPENED)
    assert survey_mails() == []


def test_resolving_again_after_a_reopen_sends_no_second_survey(ticket, agent):
    resolve(ticket, agent)
    send_due(timezone.now() + LATER)
    reopen(ticket, agent)
    resolve(ticket, agent)
    assert send_due(timezone.now() + LATER * 2) == []
    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert len(survey_mails()) == 1


def test_resolving_again_after_the_first_survey_expired_unanswered_sends_a_new_one(ticket, agent):
    resolve(ticket, agent)
    send_due(timezone.now() + LATER)
    assert services.survey_expire_old(now=timezone.now() + timedelta(days=31)) == 1
    reopen(ticket, agent)
    resolve(ticket, agent)
    assert send_due(timezone.now() + LATER) == ["sent"]
    assert list(Survey.objects.filter(ticket=ticket).values_list("state", flat=True).order_by("id")) == [
        ST.EXPIRED,
        ST.SENT,
    ]


def test_resolving_again_after_a_skip_for_reopen_schedules_a_fresh_survey(ticket, agent):
    resolve(ticket, agent)
    reopen(ticket, agent)
    resolve(ticket, agent)
    assert send_due(timezone.now() + LATER) == ["sent"]
    assert len(survey_mails()) == 1


def test_a_customer_is_surveyed_at_most_once_within_the_throttle_days(settings, queue, customer, agent):
    settings.SURVEY_THROTTLE_DAYS = 7
    first, second = new_ticket(queue, customer), new_ticket(queue, customer)
    resolve(first, agent)
    resolve(second, agent)
    assert survey_of(first).state == ST.SCHEDULED
    assert (survey_of(second).state, survey_of(second).skip_reason) == (ST.SKIPPED, Survey.SkipReason.THROTTLED)


def test_a_customer_is_surveyed_again_after_the_throttle_days(settings, queue, customer, agent):
    settings.SURVEY_THROTTLE_DAYS = 7
    first, second = new_ticket(queue, customer), new_ticket(queue, customer)
    resolve(first, agent)
    Survey.objects.filter(ticket=first).update(created_at=timezone.now() - timedelta(days=8))
    resolve(second, agent)
    assert survey_of(second).state == ST.SCHEDULED


def test_the_agents_skip_reason_skips_the_survey(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent, skip_survey_reason="spam")
    survey = survey_of(ticket)
    assert (survey.state, survey.skip_reason) == (ST.SKIPPED, Survey.SkipReason.SPAM)
    assert send_due(timezone.now() + LATER) == []


def test_a_free_text_skip_reason_is_kept(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent, skip_survey_reason="Customer asked not to be emailed")
    survey = survey_of(ticket)
    assert (survey.skip_reason, survey.skip_note) == (Survey.SkipReason.AGENT, "Customer asked not to be emailed")


def test_spam_and_merged_tickets_are_not_surveyed(queue, agent):
    for tag in ("spam", "merged"):
        ticket = new_ticket(queue, tags=[tag])
        resolve(ticket, agent)
        assert (survey_of(ticket).state, survey_of(ticket).skip_reason) == (ST.SKIPPED, tag)


def test_a_ticket_resolved_by_the_system_without_any_reply_is_not_surveyed(ticket):
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=None)
    assert survey_of(ticket).skip_reason == Survey.SkipReason.AUTO_CLOSED


def test_the_credited_agent_is_kept_when_the_ticket_is_unassigned_later(ticket, agent):
    resolve(ticket, agent)
    ticket.refresh_from_db()
    ticket_services.ticket_assign(ticket=ticket, assignee=None, actor=agent)
    send_due(timezone.now() + LATER)
    assert survey_of(ticket).agent == agent


def test_outbox_recovery_sends_a_survey_whose_task_never_reached_the_broker(transactional_db, delay_zero, queue, agent):
    from helpdesk.celery import app

    good_url, app.conf.broker_url = app.conf.broker_url, "redis://127.0.0.1:9/0"  # nothing listens on port 9
    app._pool = None
    try:
        ticket = new_ticket(queue)
        resolve(ticket, agent)  # the after-commit enqueue fails; the resolve does not
    finally:
        app.conf.broker_url = good_url
        app._pool = None
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert survey_of(ticket).state == ST.SCHEDULED and survey_mails() == []
    # The periodic sweep: the survey, and the ticket's confirmation whose kick was lost too.
    assert outbox_tasks.send_due.apply().get() == {"batches": 1, "sent": 2}
    assert survey_of(ticket).state == ST.SENT and len(survey_mails()) == 1


def test_a_task_delivered_twice_sends_one_email(ticket, agent):
    resolve(ticket, agent)
    delivery_id = survey_of(ticket).delivery_id
    Delivery.objects.filter(pk=delivery_id).update(due_at=timezone.now())
    first = outbox_tasks.send.apply(args=[delivery_id]).get()
    second = outbox_tasks.send.apply(args=[delivery_id]).get()
    assert (first, second) == ("sent", "already sent")
    assert len(survey_mails()) == 1


def test_smtp_refusal_retries_with_backoff_then_fails_visibly(smtp_refusing, ticket, agent):
    resolve(ticket, agent)
    now = timezone.now() + LATER
    delays = []
    for _attempt in range(5):
        outcome = send_due(now)
        survey = survey_of(ticket)
        if survey.state == ST.SCHEDULED:
            assert outcome == ["retry"]
            delays.append((survey.delivery.due_at - now).total_seconds())
            now = survey.delivery.due_at
        else:
            assert outcome == ["failed"]
    survey = survey_of(ticket)
    assert survey.state == ST.FAILED and survey.delivery.state == Delivery.State.FAILED
    assert survey.delivery.attempts == 5 and "554" in survey.delivery.last_error
    assert delays == [60, 120, 240, 480]  # exponential backoff on the row's due time
    assert smtp_refusing.messages == []
    assert send_due(now + timedelta(days=1)) == []  # failed is final until staff retry it


def test_the_email_reaches_a_real_smtp_server_with_a_deterministic_message_id(smtp_sink, ticket, agent):
    resolve(ticket, agent)
    assert send_due(timezone.now() + LATER) == ["sent"]
    [raw] = smtp_sink.messages
    message = message_from_bytes(raw)
    survey = survey_of(ticket)
    assert message["Message-ID"] == survey.delivery.message_id == survey_message_id(survey)
    assert survey_message_id(survey).startswith(f"<dd.{ticket.reference}.v{survey.pk}.")
    assert ticket.reference in message["Subject"]


def test_the_email_has_the_agents_name_and_five_star_links_and_a_plain_link(ticket, agent):
    resolve(ticket, agent)
    send_due(timezone.now() + LATER)
    [message] = survey_mails()
    html = message.alternatives[0][0]
    assert agent.get_full_name() in message.body
    for stars in range(1, 6):
        assert f"?stars={stars}" in message.body and f"?stars={stars}" in html
    assert "Delighted" in message.body and "Mediocre" in message.body  # D2 labels
    assert message.body.count(f"/survey/{ticket.reference}/") == 6


def test_the_email_is_written_in_the_customers_language(queue, agent):
    ticket = new_ticket(queue, factories.CustomerFactory(language="fi"))
    resolve(ticket, agent)
    assert survey_of(ticket).language == "fi"
    send_due(timezone.now() + LATER)
    [message] = survey_mails()
    assert message.extra_headers["Content-Language"] == "fi"  # rendered under translation.override("fi")


def test_expired_surveys_are_marked_after_the_token_lifetime(ticket, agent):
    resolve(ticket, agent)
    send_due(timezone.now() + LATER)
    assert services.survey_expire_old(now=timezone.now() + timedelta(days=29)) == 0
    assert services.survey_expire_old(now=timezone.now() + timedelta(days=31)) == 1
    assert survey_of(ticket).state == ST.EXPIRED
