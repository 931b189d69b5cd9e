"""The rollup tables: maintained in the transaction of each send and rating, equal to a rebuild from the rows."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback import rollup
from feedback.models import RatingRollup, RatingRollupAgent, RatingRollupCompany, Survey
from feedback.services.ratings import rating_submit
from tests import factories
from tests.feedback import reports_factories as rf
from tickets.models import Ticket

DAY = dt.date(2026, 6, 1)


def snapshot() -> dict[str, list[tuple]]:
    """Every rollup table's non-empty rows, without their ids."""
    result = {}
    for model in rollup.ROLLUPS:
        fields = ["day", *model.KEY, *rollup.COUNTERS]
        rows = model.objects.values_list(*fields).order_by(*fields)
        result[model.__name__] = [row for row in rows if any(row[len(model.KEY) + 1 :])]
    return result


@pytest.fixture
def world(db, team, queue, agent):
    second_queue = factories.QueueFactory(team=factories.TeamFactory())
    second_agent = factories.agent_in(second_queue.team)
    customers = [rf.customer(company="Acme"), rf.customer(company="Globex"), rf.customer(company="")]
    return {"queues": [queue, second_queue], "agents": [agent, second_agent], "customers": customers}


def _survey(world, choice: int) -> Survey:
    queue = world["queues"][choice % 2]
    customer = world["customers"][choice % 3]
    agent = world["agents"][choice % 2]
    kind = (Ticket.Kind.QUESTION, Ticket.Kind.PROBLEM)[choice % 2 == 0 and choice > 2]
    (ticket,) = rf.bare_tickets(queue=queue, customer=customer, count=1, kind=kind)
    return Survey.objects.create(ticket=ticket, queue=queue, customer=customer, agent=agent)


def _send(surveys: list[Survey], when: dt.datetime) -> None:
    """What the send path does: mark them sent and count them, in one transaction."""
    with transaction.atomic():
        ids = [s.pk for s in surveys]
        Survey.objects.filter(pk__in=ids).update(state=Survey.State.SENT, sent_at=when)
        rollup.surveys_sent(survey_ids=ids, sent_at=when)


operation = st.tuples(
    st.sampled_from(["send", "rate", "change", "rate_unsent"]),
    st.integers(min_value=0, max_value=5),  # which dimensions / which survey
    st.integers(min_value=1, max_value=5),  # stars
    st.integers(min_value=0, max_value=9),  # day offset
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_incremental_rollup_equals_a_rebuild_after_any_sends_ratings_and_changes(world, operations):
    with transaction.atomic():
        surveys: list[Survey] = []
        sent: list[Survey] = []
        rated: list[Survey] = []
        for action, choice, stars, offset in operations:
            when = rf.aware(DAY + dt.timedelta(days=offset), hour=23 if offset % 3 == 0 else 9)
            if action == "send":
                batch = [_survey(world, choice + i) for i in range(1 + choice % 3)]
                _send(batch, when)
                surveys += batch
                sent += batch
            elif action == "rate" and sent:
                survey = sent[choice % len(sent)]
                rating_submit(survey_id=survey.pk, stars=stars, now=when)
                rated.append(survey)
            elif action == "change" and rated:
                survey = rated[choice % len(rated)]
                rating_submit(survey_id=survey.pk, stars=stars, now=when + dt.timedelta(days=1))
            elif action == "rate_unsent":
                survey = _survey(world, choice)
                rating_submit(survey_id=survey.pk, stars=stars, now=when)  # from the follow page, never sent
                rated.append(survey)
        incremental = snapshot()
        rollup.rollup_rebuild()
        assert snapshot() == incremental
        transaction.set_rollback(True)


def test_a_rating_change_moves_one_count_between_stars_without_adding_a_response(world):
    survey = _survey(world, 0)
    _send([survey], rf.aware(DAY))
    rating_submit(survey_id=survey.pk, stars=2, now=rf.aware(DAY))
    rating_submit(survey_id=survey.pk, stars=5, now=rf.aware(DAY + dt.timedelta(days=3)))
    (row,) = RatingRollupAgent.objects.values("day", "n", "s2", "s5", "sent", "answered")
    assert row == {"day": DAY, "n": 1, "s2": 0, "s5": 1, "sent": 1, "answered": 1}


def test_answered_counts_on_the_day_the_survey_was_sent(world):
    survey = _survey(world, 0)
    _send([survey], rf.aware(DAY))
    rating_submit(survey_id=survey.pk, stars=4, now=rf.aware(DAY + dt.timedelta(days=2)))
    rows = dict(RatingRollupAgent.objects.values_list("day", "answered"))
    assert rows == {DAY: 1, DAY + dt.timedelta(days=2): 0}


def test_surveys_sent_counts_a_batch_with_one_statement_per_table(world, django_assert_num_queries):
    batch = [_survey(world, i) for i in range(6)]
    with django_assert_num_queries(len(rollup.ROLLUPS)):
        rollup.surveys_sent(survey_ids=[s.pk for s in batch], sent_at=rf.aware(DAY))
    assert sum(RatingRollup.objects.values_list("sent", flat=True)) == 6
    assert sum(RatingRollupCompany.objects.values_list("sent", flat=True)) == 6


def test_days_are_the_desks_local_days(world, settings):
    settings.TIME_ZONE = "America/New_York"
    survey = _survey(world, 0)
    late_evening = dt.datetime(2026, 6, 2, 2, 30, tzinfo=dt.UTC)  # 22:30 on June 1st in New York
    _send([survey], late_evening)
    assert list(RatingRollupAgent.objects.values_list("day", flat=True)) == [DAY]


def test_rebuild_counts_rows_loaded_in_bulk(world):
    rf.ratings([5, 4, 1], queue=world["queues"][0], agent=world["agents"][0], day=DAY,
               customer=world["customers"][0], unanswered=2)
    rows = rollup.rollup_rebuild()
    assert rows == 1
    (row,) = RatingRollup.objects.values("n", "s1", "s4", "s5", "sent", "answered")
    assert row == {"n": 3, "s1": 1, "s4": 1, "s5": 1, "sent": 5, "answered": 3}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_the_same_key_all_count(team, queue, agent):
    """Eight workers rate eight surveys of one agent, queue, company and day at the same time: the
    upserts add up (atomic increments on one row), nothing is lost to a read-modify-write."""
    import threading

    from django.db import connection

    customer = rf.customer(company="Acme")
    world = {"queues": [queue, queue], "agents": [agent, agent], "customers": [customer] * 3}
    surveys = [_survey(world, 1) for _ in range(8)]
    _send(surveys, rf.aware(DAY))
    barrier = threading.Barrier(len(surveys))
    errors = []

    def rate(survey):
        try:
            barrier.wait(10)
            rating_submit(survey_id=survey.pk, stars=4, now=rf.aware(DAY))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(s,)) for s in surveys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    (row,) = RatingRollupAgent.objects.values("n", "s4", "sent", "answered")
    assert row == {"n": 8, "s4": 8, "sent": 8, "answered": 8}


def test_the_rebuild_command_recounts_and_reports_the_table_sizes(world):
    import io

    from django.core.management import call_command

    rf.ratings([5, 1], queue=world["queues"][0], agent=world["agents"][0], day=DAY, customer=world["customers"][0])
    RatingRollup.objects.all().delete()
    out = io.StringIO()
    call_command("rollup_rebuild", stdout=out)
    assert "RatingRollup 1 rows" in out.getvalue()
    assert RatingRollup.objects.get().n == 2
