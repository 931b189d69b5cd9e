"""Surveys through the outbox: the skip reason written with the survey (never claimable), a batch's
cost, a survey rated while its email is on the way, and the email itself (Django's templates)."""

import threading
import time
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import emails, services
from feedback.models import AgentPulse, Survey
from feedback.services.survey_lifecycle import surveys_mark_sent
from outbox import services as outbox
from outbox.models import Delivery
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, send_due, survey_of
from tickets import services as ticket_services
from tickets.models import Ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
ST = Survey.State
LATER = timedelta(hours=2)


delay_zero, survey_mails, smtp_sink = ff.delay_zero, ff.survey_mails, ff.smtp_sink


def resolved_surveys(queue, agent, count: int) -> list[Survey]:
    tickets = [new_ticket(queue) for _ in range(count)]
    for ticket in tickets:
        resolve(ticket, agent)
    return [survey_of(ticket) for ticket in tickets]


# --- The skip reason and the resolve -------------------------------------------------------------


def test_a_skipped_survey_is_skipped_inside_the_resolving_transaction(delay_zero, ticket, agent):
    with transaction.atomic():
        resolve(ticket, agent, skip_survey_reason="duplicate")
        survey = survey_of(ticket)
        assert (survey.state, survey.skip_reason) == (ST.SKIPPED, Survey.SkipReason.DUPLICATE)


def test_a_skipped_survey_is_never_claimed_even_before_the_after_commit_hooks_run(
    delay_zero, ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the resolve commits; no after-commit hook ran
        resolve(ticket, agent, skip_survey_reason="spam")
        assert outbox.deliveries_claim_due().ids == []  # a worker claiming right at this moment finds nothing
        assert outbox.deliveries_send_due() == {"batches": 0}
    assert outbox.deliveries_send_due(now=timezone.now() + LATER) == {"batches": 0}
    assert survey_of(ticket).state == ST.SKIPPED and survey_mails() == []


@pytest.mark.postgres
def test_a_worker_claiming_as_the_skipping_resolve_commits_gets_nothing(transactional_db, delay_zero, queue, agent):
    ticket = new_ticket(queue)
    claims: list[list[int]] = []
    stop = threading.Event()

    def claim_all_the_time() -> None:
        try:
            while not stop.is_set():
                claims.append(outbox.deliveries_claim_due(now=timezone.now() + LATER).ids)
        finally:
            connection.close()

    worker = threading.Thread(target=claim_all_the_time)
    worker.start()
    while not claims and worker.is_alive():
        time.sleep(0.001)  # the worker is claiming before the resolve starts...
    try:
        resolve(ticket, agent, skip_survey_reason="internal")
    finally:
        claimed_before_commit = len(claims)
        while len(claims) == claimed_before_commit and worker.is_alive():
            time.sleep(0.001)  # ... and claims at least once more after it committed
        stop.set()
        worker.join()
    assert len(claims) > 1 and not any(kind == "survey" for kind in Delivery.objects.values_list("kind", flat=True))
    assert survey_of(ticket).state == ST.SKIPPED and survey_of(ticket).delivery is None


def test_the_pulse_is_asked_in_the_resolving_transaction_and_rolls_back_with_it(ticket, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        resolve(ticket, agent)
        assert AgentPulse.objects.filter(ticket=ticket, agent=agent).exists()
        raise RuntimeError("the resolve fails")
    assert not AgentPulse.objects.filter(ticket=ticket).exists()


def test_a_reopen_skips_the_pending_survey_in_the_reopening_transaction(ticket, agent):
    resolve(ticket, agent)
    with transaction.atomic():
        ticket.refresh_from_db()
        ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.OPEN, actor=agent)
        assert survey_of(ticket).skip_reason == Survey.SkipReason.REOPENED


# --- Batches ---------------------------------------------------------------------------------------


def test_sending_a_batch_costs_one_update_per_message_and_a_fixed_number_of_other_queries(
    queue, agent, django_assert_num_queries
):
    """Load the claimed rows, build the surveys (one query), one UPDATE per accepted message (its
    Message-ID), then one closing transaction: the sent rows, the surveys, one rollup upsert per rollup
    table (PostgreSQL: plus switching to asynchronous commit and back)."""
    fixed = 2 + 2 + 2 + 2 + 3 + (2 if connection.vendor == "postgresql" else 0)
    small, large = resolved_surveys(queue, agent, 2), resolved_surveys(queue, agent, 10)
    now = timezone.now() + LATER
    claim = outbox.deliveries_claim_due(now=now, delivery_ids=[s.delivery_id for s in small])
    with django_assert_num_queries(fixed + 2):
        outbox.deliveries_send_claimed(claim, now=now)
    claim = outbox.deliveries_claim_due(now=now, delivery_ids=[s.delivery_id for s in large])
    with django_assert_num_queries(fixed + 10):
        outbox.deliveries_send_claimed(claim, now=now)
    assert len(survey_mails()) == 12


def test_a_survey_rated_from_the_follow_page_after_its_claim_is_not_emailed(ticket, agent):
    resolve(ticket, agent)
    now = timezone.now() + LATER
    claim = outbox.deliveries_claim_due(now=now)
    services.rating_submit(survey_id=survey_of(ticket).pk, stars=4, now=now)
    assert outbox.deliveries_send_claimed(claim, now=now) == {"cancelled": 1}
    survey = survey_of(ticket)
    assert survey.state == ST.ANSWERED and survey.sent_at is None and survey_mails() == []
    assert (survey.delivery.state, survey.delivery.cancel_reason) == (Delivery.State.CANCELLED, "answered")


def test_a_survey_rated_before_its_email_went_out_is_not_emailed(ticket, agent):
    resolve(ticket, agent)
    services.rating_submit(survey_id=survey_of(ticket).pk, stars=5)
    assert send_due(timezone.now() + LATER) == ["cancelled"]
    assert survey_of(ticket).state == ST.ANSWERED and survey_mails() == []


def test_a_survey_answered_while_its_email_was_being_sent_stays_answered_and_counts_as_sent(ticket, agent):
    resolve(ticket, agent)
    survey = survey_of(ticket)
    services.rating_submit(survey_id=survey.pk, stars=4)  # after its email was built, before it was marked sent
    assert surveys_mark_sent(delivery_ids=[survey.delivery_id], at=timezone.now()) == [survey.pk]
    survey = survey_of(ticket)
    assert survey.state == ST.ANSWERED and survey.sent_at is not None


def test_a_sent_batch_is_counted_once_in_the_reports_rollup(delay_zero, queue, agent):
    from django.db.models import Sum

    from feedback.models import RatingRollupAgent

    resolved_surveys(queue, agent, 3)
    outbox.deliveries_send_due()
    outbox.deliveries_send_due()  # nothing more: nothing counted twice
    assert RatingRollupAgent.objects.filter(agent=agent.pk).aggregate(sent=Sum("sent"))["sent"] == 3


# --- The email -----------------------------------------------------------------------------------


@pytest.fixture
def tricky_survey(queue, agent):
    customer = factories.CustomerFactory(name="<b>O'Brien & Co</b> {{ url }}", language="fi")
    ticket = new_ticket(queue, customer, subject='Rückerstattung "★" <script>x</script> & more ' * 3)
    resolve(ticket, agent)
    return Survey.objects.select_related("ticket", "customer", "agent").get(pk=survey_of(ticket).pk)


def _text_and_html(message) -> tuple[str, str]:
    parts = {part.get_content_type(): part for part in message.walk()}
    return tuple(  # the wire has CRLF either way; compare the text
        parts[kind].get_payload(decode=True).decode().replace("\r\n", "\n") for kind in ("text/plain", "text/html")
    )


def test_user_text_is_escaped_in_html_only_and_never_expanded(tricky_survey):
    email = emails.build_survey_email(tricky_survey)
    html = email.alternatives[0][0]
    assert "<b>O'Brien & Co</b> {{ url }}" in email.body  # plain text, as typed
    assert "&lt;b&gt;O&#x27;Brien &amp; Co&lt;/b&gt; {{ url }}" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;" not in email.subject and "Rückerstattung" in email.subject


def test_the_email_reaches_smtp_with_its_headers_and_both_parts(smtp_sink, tricky_survey):
    Delivery.objects.filter(pk=tricky_survey.delivery_id).update(due_at=timezone.now())
    assert outbox.deliveries_send_due() == {"batches": 1, "sent": 1}
    [raw] = smtp_sink.messages
    message = message_from_bytes(raw)
    survey = survey_of(tricky_survey.ticket)
    assert message["Message-ID"] == survey.delivery.message_id == emails.survey_message_id(survey)
    assert (message["Content-Language"], message["Auto-Submitted"]) == ("fi", "auto-generated")
    assert message["X-Delightdesk-Survey"] == str(survey.pk)
    assert tricky_survey.ticket.reference in str(make_header(decode_header(message["Subject"])))
    text, html = _text_and_html(message)
    assert "O'Brien & Co" in text and "?stars=5" in html


@pytest.mark.worker
def test_every_survey_of_a_burst_of_resolves_is_sent_once(celery_worker, delay_zero, queue, agent):
    """A resolve kicks a worker after commit, at most once a second per process: the first resolve of
    the burst is kicked at once, the rest of the burst by one kick the broker holds until the second is
    over (no beat runs here: nothing is left to its sweep)."""
    tickets = [new_ticket(queue) for _ in range(4)]
    for ticket in tickets:  # each commits within the same second
        resolve(ticket, agent)
    assert ff.wait_for(lambda: Survey.objects.filter(state=ST.SENT).count() == 4, timeout=20)
    assert sorted(m.to[0] for m in survey_mails()) == sorted(t.customer.email for t in tickets)
