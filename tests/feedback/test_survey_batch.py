"""Batch sending: the skip reason written with the survey, claims as tokens, recovery after a killed
worker, one SMTP connection per batch, and the directly written MIME message."""

import threading
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import emails, services
from feedback.models import AgentPulse, Survey
from tests import factories
from tests.feedback import factories as ff
from tests.feedback.factories import new_ticket, resolve, survey_of
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
        assert services.survey_claim_due() == []  # a worker claiming right at this moment finds nothing
        assert services.survey_send_due() == {"batches": 0}
    assert services.survey_send_due(now=timezone.now() + LATER) == {"batches": 0}
    assert survey_of(ticket).state == ST.SKIPPED and survey_mails() == []


@pytest.mark.postgres
def test_a_worker_claiming_as_the_skipping_resolve_commits_gets_nothing(transactional_db, delay_zero, queue, agent):
    ticket = new_ticket(queue)
    claims: list[list[int]] = []
    stop = threading.Event()

    def claim_all_the_time() -> None:
        try:
            while not stop.is_set():
                claims.append(services.survey_claim_due(now=timezone.now() + LATER))
        finally:
            connection.close()

    worker = threading.Thread(target=claim_all_the_time)
    worker.start()
    try:
        resolve(ticket, agent, skip_survey_reason="internal")
        survey_id = survey_of(ticket).pk
    finally:
        stop.set()
        worker.join()
    assert all(survey_id not in claimed for claimed in claims) and len(claims) > 1
    assert survey_of(ticket).state == ST.SKIPPED


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


# --- Claims and batches --------------------------------------------------------------------------


def test_a_batch_goes_out_on_one_smtp_connection(smtp_sink, queue, agent):
    resolved_surveys(queue, agent, 4)
    assert services.survey_send_due(now=timezone.now() + LATER) == {"batches": 1, "sent": 4}
    assert len(smtp_sink.messages) == 4 and smtp_sink.sessions == 1
    assert set(Survey.objects.values_list("state", flat=True)) == {ST.SENT}


def test_sending_a_batch_costs_one_update_per_message_and_a_fixed_number_of_other_queries(
    queue, agent, django_assert_num_queries
):
    """Load, one UPDATE per accepted message (its Message-ID), then one closing transaction (select the
    batch, mark it sent, one rollup upsert per rollup table; PostgreSQL: plus switching to asynchronous
    commit and back)."""
    fixed = 1 + 4 + 3 + (2 if connection.vendor == "postgresql" else 0)
    small, large = resolved_surveys(queue, agent, 2), resolved_surveys(queue, agent, 10)
    now = timezone.now() + LATER
    ids = services.survey_claim_due(now=now, survey_ids=[s.pk for s in small])
    with django_assert_num_queries(fixed + 2):
        services.survey_send_claimed(survey_ids=ids, claimed_at=now)
    ids = services.survey_claim_due(now=now, survey_ids=[s.pk for s in large])
    with django_assert_num_queries(fixed + 10):
        services.survey_send_claimed(survey_ids=ids, claimed_at=now)
    assert len(survey_mails()) == 12


def test_a_worker_whose_claim_was_taken_over_sends_nothing(ticket, agent):
    resolve(ticket, agent)
    first = timezone.now() + LATER
    assert services.survey_claim_due(now=first) == [survey_of(ticket).pk]
    second = first + timedelta(minutes=10)  # the first claim went stale: another worker claims it
    ids = services.survey_claim_due(now=second)
    assert services.survey_send_claimed(survey_ids=ids, claimed_at=first) == {}  # the first worker, late
    assert survey_mails() == []
    assert services.survey_send_claimed(survey_ids=ids, claimed_at=second) == {"sent": 1}
    assert len(survey_mails()) == 1


def test_a_survey_accepted_by_smtp_before_its_worker_died_is_marked_sent_not_sent_again(ticket, agent):
    resolve(ticket, agent)
    claimed = timezone.now() + LATER
    [survey_id] = services.survey_claim_due(now=claimed)
    # The worker sent it, wrote the Message-ID the moment SMTP accepted it, and was killed.
    Survey.objects.filter(pk=survey_id).update(message_id=f"<survey-{survey_id}@delightdesk.localhost>")
    assert services.survey_send_due(now=claimed + timedelta(minutes=1)) == {"batches": 0}  # claim still fresh
    assert services.survey_send_due(now=claimed + timedelta(minutes=10)) == {"batches": 1, "recovered": 1}
    survey = survey_of(ticket)
    assert survey.state == ST.SENT and survey.sent_at is not None and survey_mails() == []


def test_a_scheduled_survey_forgets_a_message_id_from_a_failed_attempt_when_claimed(ticket, agent):
    resolve(ticket, agent)
    Survey.objects.filter(ticket=ticket).update(message_id="<left-by-an-older-version@x>")
    assert services.survey_send_due(now=timezone.now() + LATER) == {"batches": 1, "sent": 1}
    assert len(survey_mails()) == 1


def test_a_survey_rated_from_the_follow_page_after_its_claim_is_not_emailed(ticket, agent):
    resolve(ticket, agent)
    now = timezone.now() + LATER
    ids = services.survey_claim_due(now=now)
    services.rating_submit(survey_id=ids[0], stars=4, now=now)
    assert services.survey_send_claimed(survey_ids=ids, claimed_at=now, now=now) == {}
    survey = survey_of(ticket)
    assert survey.state == ST.ANSWERED and survey.sent_at is None and survey_mails() == []


def test_a_second_drain_finds_nothing_to_send(delay_zero, queue, agent):
    resolved_surveys(queue, agent, 3)
    assert services.survey_send_due() == {"batches": 1, "sent": 3}
    assert services.survey_send_due() == {"batches": 0}
    assert len(survey_mails()) == 3


# --- The email -----------------------------------------------------------------------------------


@pytest.fixture
def tricky_survey(queue, agent):
    customer = factories.CustomerFactory(name="<b>O'Brien & Co</b> @@DDSLOT:url@@", language="fi")
    ticket = new_ticket(queue, customer, subject='Rückerstattung "★" <script>x</script> & more ' * 3)
    resolve(ticket, agent)
    return Survey.objects.select_related("ticket", "customer", "agent").get(pk=survey_of(ticket).pk)


def _text_and_html(message) -> tuple[str, str]:
    parts = {part.get_content_type(): part for part in message.walk()}
    return tuple(  # the wire has CRLF either way; compare the text
        parts[kind].get_payload(decode=True).decode().replace("\r\n", "\n") for kind in ("text/plain", "text/html")
    )


def test_the_directly_written_message_says_what_the_email_package_would(tricky_survey):
    message_id = emails.survey_message_id(tricky_survey)
    _sender, recipient, raw = emails.survey_mime(tricky_survey, message_id=message_id)
    fast = message_from_bytes(raw)
    reference = message_from_bytes(emails.build_survey_email(tricky_survey, message_id=message_id).message().as_bytes())
    for header in ("Subject", "From", "To", "Message-ID", "Content-Language", "Auto-Submitted", "X-Delightdesk-Survey"):
        assert str(make_header(decode_header(fast[header]))) == str(make_header(decode_header(reference[header])))
    assert _text_and_html(fast) == _text_and_html(reference)
    assert recipient == tricky_survey.customer.email and fast["Date"]


def test_the_filled_email_is_what_the_templates_render(tricky_survey):
    from django.template.loader import render_to_string
    from django.utils import translation

    _subject, text, html, language = emails.survey_email_parts(tricky_survey)
    token = emails.survey_token_for(tricky_survey)
    with translation.override("fi"):
        context = {
            "ticket": tricky_survey.ticket,
            "customer": tricky_survey.customer,
            "agent_name": tricky_survey.agent.get_full_name(),
            "star_links": [
                (n, emails.STAR_LABELS[n], emails.survey_url(tricky_survey, stars=n, token=token))
                for n in (5, 4, 3, 2, 1)
            ],
            "survey_url": emails.survey_url(tricky_survey, token=token),
            "language": "fi",
        }
        assert html == render_to_string("feedback/email/survey.html", context)
        assert text == render_to_string("feedback/email/survey.txt", context)
    assert language == "fi"


def test_user_text_is_escaped_in_html_only_and_never_expanded(tricky_survey):
    subject, text, html, _language = emails.survey_email_parts(tricky_survey)
    assert "<b>O'Brien & Co</b> @@DDSLOT:url@@" in text  # plain text, as typed
    assert "&lt;b&gt;O&#x27;Brien &amp; Co&lt;/b&gt; @@DDSLOT:url@@" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;" not in subject and "Rückerstattung" in subject


def test_the_survey_link_is_the_one_django_reverses(tricky_survey):
    from django.urls import reverse

    token = emails.survey_token_for(tricky_survey)
    path = reverse("feedback:survey", args=[tricky_survey.ticket.reference, token])
    assert emails.survey_url(tricky_survey, stars=3, token=token).endswith(path + "?stars=3")


def test_the_email_reaches_smtp_through_the_batch_path_with_crlf_lines(smtp_sink, tricky_survey):
    Survey.objects.filter(pk=tricky_survey.pk).update(due_at=timezone.now())
    assert services.survey_send_due() == {"batches": 1, "sent": 1}
    [raw] = smtp_sink.messages
    message = message_from_bytes(raw)
    assert message["Message-ID"] == survey_of(tricky_survey.ticket).message_id
    text, html = _text_and_html(message)
    assert "O'Brien & Co" in text and "?stars=5" in html


def test_a_sent_batch_is_counted_once_in_the_reports_rollup(delay_zero, queue, agent):
    from django.db.models import Sum

    from feedback.models import RatingRollupAgent

    resolved_surveys(queue, agent, 3)
    services.survey_send_due()
    services.survey_send_due()  # nothing more: nothing counted twice
    assert RatingRollupAgent.objects.filter(agent=agent.pk).aggregate(sent=Sum("sent"))["sent"] == 3


@pytest.mark.worker
def test_every_survey_of_a_burst_of_resolves_is_sent_without_waiting_for_the_beat(
    celery_worker, delay_zero, queue, agent
):
    """Kicks are coalesced (one per interval per process), never dropped: the last resolve of a burst
    gets the trailing kick. No beat runs in this test."""
    tickets = [new_ticket(queue) for _ in range(4)]
    for ticket in tickets:  # each commits and asks for a kick, well within one interval
        resolve(ticket, agent)
    assert ff.wait_for(lambda: Survey.objects.filter(state=ST.SENT).count() == 4, timeout=20)
    assert sorted(m.to[0] for m in survey_mails()) == sorted(t.customer.email for t in tickets)
