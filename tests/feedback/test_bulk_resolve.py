"""Resolving many tickets at once (`tickets.services.tickets_transition`): every survey and pulse is
written in the resolving transaction, set-wise, with the same rules as a single resolve."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from feedback import services as feedback_services
from feedback.models import AgentPulse, Survey
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, survey_of
from tickets import services as ticket_services
from tickets.models import Ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
delay_zero = ff.delay_zero
ST = Survey.State
S = Ticket.Status


def assigned_tickets(queue, agent, count: int, customer=None) -> list[Ticket]:
    batch = [new_ticket(queue, customer) for _ in range(count)]
    for ticket in batch:
        ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    return batch


def resolve_many(batch, actor, **kwargs):
    return ticket_services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.RESOLVED, actor=actor,
                                              **kwargs)


def test_resolving_many_schedules_one_survey_per_ticket_crediting_its_agent(queue, agent):
    batch = assigned_tickets(queue, agent, 3)
    resolve_many(batch, agent)
    surveys = Survey.objects.filter(ticket__in=batch)
    assert sorted((s.ticket_id, s.state, s.agent_id) for s in surveys) == sorted(
        (t.pk, ST.SCHEDULED, agent.pk) for t in batch
    )


def test_resolving_many_asks_the_agent_one_pulse_per_ticket(queue, agent):
    batch = assigned_tickets(queue, agent, 3)
    resolve_many(batch, agent)
    assert AgentPulse.objects.filter(agent=agent, kind=AgentPulse.Kind.TICKET, ticket__in=batch).count() == 3


def test_the_surveys_roll_back_with_the_resolve(queue, agent):
    batch = assigned_tickets(queue, agent, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        resolve_many(batch, agent)
        raise RuntimeError("rolled back")
    assert not Survey.objects.filter(ticket__in=batch).exists()
    assert not AgentPulse.objects.filter(ticket__in=batch).exists()


def test_the_throttle_holds_within_one_many_ticket_resolve(settings, queue, agent):
    settings.SURVEY_THROTTLE_DAYS = 7
    customer = factories.CustomerFactory()
    first, second = assigned_tickets(queue, agent, 2, customer=customer)
    resolve_many([first, second], agent)
    assert survey_of(first).state == ST.SCHEDULED
    assert (survey_of(second).state, survey_of(second).skip_reason) == (ST.SKIPPED, Survey.SkipReason.THROTTLED)


def test_the_agents_skip_reason_skips_every_survey_of_the_selection(queue, agent):
    batch = assigned_tickets(queue, agent, 2)
    resolve_many(batch, agent, no_follow_up_reason="duplicate")
    assert {(s.state, s.skip_reason) for s in Survey.objects.filter(ticket__in=batch)} == {
        (ST.SKIPPED, Survey.SkipReason.DUPLICATE)
    }


def test_a_tagged_ticket_in_the_selection_is_skipped_and_the_others_are_surveyed(queue, agent):
    plain, spam = assigned_tickets(queue, agent, 1)[0], new_ticket(queue, tags=["spam"])
    resolve_many([plain, spam], agent)
    assert survey_of(plain).state == ST.SCHEDULED
    assert (survey_of(spam).state, survey_of(spam).skip_reason) == (ST.SKIPPED, Survey.SkipReason.SPAM)


def test_reopening_many_skips_their_pending_surveys(queue, agent):
    batch = assigned_tickets(queue, agent, 2)
    resolve_many(batch, agent)
    ticket_services.tickets_transition(ticket_ids=[t.pk for t in batch], to_status=S.OPEN, actor=agent)
    assert {(s.state, s.skip_reason) for s in Survey.objects.filter(ticket__in=batch)} == {
        (ST.SKIPPED, Survey.SkipReason.REOPENED)
    }


def test_one_ticket_whose_bookkeeping_fails_costs_only_its_own_survey(queue, agent, monkeypatch, caplog):
    """Fault injection: the survey service fails for one ticket; the others keep their surveys."""
    good, bad, other = assigned_tickets(queue, agent, 3)
    real = feedback_services.surveys_schedule

    def failing_for_bad(*, ticket_ids, **kwargs):
        if bad.pk in ticket_ids:
            raise RuntimeError("boom")
        return real(ticket_ids=ticket_ids, **kwargs)

    monkeypatch.setattr(feedback_services, "surveys_schedule", failing_for_bad)
    outcome = resolve_many([good, bad, other], agent)
    assert len(outcome.changed) == 3
    assert survey_of(good).state == survey_of(other).state == ST.SCHEDULED
    assert survey_of(bad) is None and f"survey bookkeeping failed for ticket {bad.pk}" in caplog.text


def test_a_many_ticket_resolve_costs_the_same_queries_for_few_and_many_tickets(delay_zero, queue, agent):
    counts = []
    for size in (2, 15):
        batch = [t.pk for t in assigned_tickets(queue, agent, size)]
        with CaptureQueriesContext(connection) as captured:
            ticket_services.tickets_transition(ticket_ids=batch, to_status=S.RESOLVED, actor=agent)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Survey.objects.filter(state=ST.SCHEDULED).count() == 17
