"""The admin is no second way in for feedback: surveys, ratings (with their history), wow stories,
relationship surveys and NPS answers are written by services only, so the admin shows them view-only
(linking to the desk's ticket page); the failed-survey retry goes through its service; and every list
costs a fixed number of queries."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import (
    NpsResponse,
    Rating,
    RatingChange,
    RatingRollup,
    RelationshipSurvey,
    Survey,
    WowStory,
)
from outbox.models import Delivery
from tests import factories
from tests.admin_forms import change_url, changelist_url, form_data
from tests.feedback import helpers as ff
from tests.feedback.helpers import resolve, survey_of

pytestmark = pytest.mark.django_db
_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _rated(queue, agent, stars=5, comment="Wonderful, thank you!") -> Rating:
    ticket = factories.TicketFactory(queue=queue)
    resolve(ticket, agent)
    return services.rating_submit(survey_id=survey_of(ticket).pk, stars=stars, comment=comment)


def _nps(customer) -> NpsResponse:
    survey = RelationshipSurvey.objects.create(customer=customer, state=RelationshipSurvey.State.SENT)
    return services.nps_submit(survey_id=survey.pk, score=9, one_thing="Answer faster")


def _desk(n, queue, agent):
    for _i in range(n):
        rating = _rated(queue, agent)
        _nps(rating.customer)


@pytest.fixture
def rating(queue, agent) -> Rating:
    return _rated(queue, agent)


# --- Ratings: the customer's words, changed only by the customer (rating_submit) -----------------


def test_a_rating_cannot_be_changed_in_the_admin(admin_client, rating):
    page = admin_client.get(change_url(rating))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = form_data(page.content.decode(), "rating_form")
    data.update(stars=["1"], comment=["Changed by staff"], _save=["Save"])
    assert admin_client.post(change_url(rating), data).status_code == 403
    rating.refresh_from_db()
    assert (rating.stars, rating.comment) == (5, "Wonderful, thank you!")
    assert RatingChange.objects.filter(rating=rating).count() == 1


def test_a_rating_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:feedback_rating_add")).status_code == 403


def test_a_rating_cannot_be_deleted_in_the_admin(admin_client, rating):
    response = admin_client.post(reverse("admin:feedback_rating_delete", args=[rating.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Rating.objects.filter(pk=rating.pk).exists()
    assert sum(RatingRollup.objects.values_list("n", flat=True)) == 1  # the reports still count it


def test_the_rating_list_offers_no_bulk_delete(admin_client, rating):
    assert "delete_selected" not in admin_client.get(changelist_url(Rating)).content.decode()
    admin_client.post(changelist_url(Rating), {"action": "delete_selected", "_selected_action": [rating.pk],
                                               "post": "yes"})
    assert Rating.objects.filter(pk=rating.pk).exists()


def test_the_rating_page_shows_every_change_and_links_to_the_ticket_in_the_desk(admin_client, rating):
    services.rating_submit(survey_id=rating.survey_id, stars=4, comment="Good after all")
    body = admin_client.get(change_url(rating)).content.decode()
    assert "Wonderful, thank you!" in body and "Good after all" in body  # the inline history
    assert reverse("tickets:detail", args=[rating.ticket.reference]) in body


# --- Surveys: the outbox's rows; the retry goes through survey_retry_failed ----------------------


def test_a_survey_cannot_be_changed_added_or_deleted_in_the_admin(admin_client, rating):
    survey = rating.survey
    page = admin_client.get(change_url(survey))
    assert page.status_code == 200 and reverse("tickets:detail", args=[survey.ticket.reference]) in (
        page.content.decode())
    assert admin_client.post(change_url(survey), {"state": "scheduled", "_save": "Save"}).status_code == 403
    assert admin_client.get(reverse("admin:feedback_survey_add")).status_code == 403
    assert admin_client.post(reverse("admin:feedback_survey_delete", args=[survey.pk]),
                             {"post": "yes"}).status_code == 403
    survey.refresh_from_db()
    assert survey.state == Survey.State.ANSWERED and Rating.objects.filter(pk=rating.pk).exists()


def test_the_retry_action_leaves_surveys_that_did_not_fail_alone(admin_client, queue, agent):
    failed, answered = factories.TicketFactory(queue=queue), _rated(queue, agent)
    resolve(failed, agent)
    Survey.objects.filter(ticket=failed).update(state=Survey.State.FAILED)  # as the outbox leaves it
    Delivery.objects.filter(survey__ticket=failed).update(state=Delivery.State.FAILED, attempts=5)
    admin_client.post(changelist_url(Survey), {"action": "retry_failed",
                                               "_selected_action": [survey_of(failed).pk, answered.survey_id]})
    assert survey_of(failed).state == Survey.State.SCHEDULED
    assert Survey.objects.get(pk=answered.survey_id).state == Survey.State.ANSWERED


# --- Wow stories, relationship surveys, NPS answers: view-only (weekly summaries: tests/reports) --


def _objects(queue, agent) -> dict:
    rating = _rated(queue, agent)
    nps = _nps(rating.customer)
    return {
        WowStory: rating.wow,
        RelationshipSurvey: nps.survey,
        NpsResponse: nps,
    }


@pytest.mark.parametrize("model", [WowStory, RelationshipSurvey, NpsResponse])
def test_service_written_feedback_rows_are_view_only(admin_client, queue, agent, model):
    obj = _objects(queue, agent)[model]
    meta = model._meta
    page = admin_client.get(change_url(obj))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url(obj), {"_save": "Save"}).status_code == 403
    assert admin_client.get(reverse(f"admin:feedback_{meta.model_name}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:feedback_{meta.model_name}_delete", args=[obj.pk]),
                             {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


# --- Lists: a fixed number of queries ------------------------------------------------------------


@pytest.mark.parametrize("model", [Survey, Rating, WowStory, RelationshipSurvey, NpsResponse])
def test_admin_lists_cost_the_same_queries_for_more_rows(admin_client, queue, agent, model,
                                                         django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _desk(2, queue, agent)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(changelist_url(model)).status_code == 200
    _desk(5, queue, factories.agent_in(queue.team))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(changelist_url(model))


def test_the_rating_page_costs_the_same_queries_for_a_longer_history(admin_client, rating,
                                                                      django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client.get(change_url(rating))
    for stars in (4, 3, 4, 5, 4):
        services.rating_submit(survey_id=rating.survey_id, stars=stars, comment=f"Now {stars}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(change_url(rating))
