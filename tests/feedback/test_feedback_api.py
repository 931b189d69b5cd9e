"""The feedback API: a ticket's survey, staff ratings list, an agent's own pulses, the public rating."""

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Rating, Survey
from feedback.tokens import survey_token_for
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


def rated(queue, agent, stars: int = 4, comment: str = "") -> Rating:
    ticket = new_ticket(queue)
    resolve(ticket, agent)
    survey = survey_of(ticket)
    services.survey_send(survey_id=survey.pk, now=survey.due_at)
    return services.rating_submit(survey_id=survey.pk, stars=stars, comment=comment)


@pytest.fixture
def sent_survey(ticket, agent) -> Survey:
    resolve(ticket, agent)
    survey = survey_of(ticket)
    services.survey_send(survey_id=survey.pk, now=survey.due_at)
    return survey


def test_staff_see_the_survey_of_a_ticket(client, agent, sent_survey):
    client.force_login(agent)
    body = client.get(f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/").json()
    assert body["state"] == "sent" and body["rating"] is None and body["sent_at"]


def test_the_customer_sees_the_survey_of_their_own_ticket_with_the_rating(client, customer_user, sent_survey):
    services.rating_submit(survey_id=sent_survey.pk, stars=5)
    client.force_login(customer_user)
    body = client.get(f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/").json()
    assert body["rating"]["stars"] == 5 and "last_error" not in body


def test_another_customer_gets_404_for_the_survey(client, sent_survey):
    client.force_login(factories.user_with_role("customer"))
    assert client.get(f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/").status_code == 404


def test_the_public_rating_endpoint_takes_the_token_only(client, sent_survey):
    response = client.post(
        f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/rating/",
        {"token": survey_token_for(sent_survey), "stars": 2, "follow_up": "Too slow"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["stars"] == 2
    assert Rating.objects.get().follow_up == "Too slow"


def test_the_public_rating_endpoint_refuses_a_bad_token_with_the_error_contract(client, sent_survey):
    response = client.post(
        f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/rating/",
        {"token": "nonsense", "stars": 2},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "invalid_survey_link"
    assert not Rating.objects.exists()


def test_the_public_rating_endpoint_refuses_stars_out_of_range(client, sent_survey):
    response = client.post(
        f"/api/v1/tickets/{sent_survey.ticket.reference}/survey/rating/",
        {"token": survey_token_for(sent_survey), "stars": 6},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_staff_list_and_filter_ratings(client, queue, agent):
    rated(queue, agent, stars=5, comment="Great")
    rated(queue, agent, stars=1)
    client.force_login(agent)
    assert client.get("/api/v1/ratings/").json()["count"] == 2
    assert [r["stars"] for r in client.get("/api/v1/ratings/?stars_max=2").json()["results"]] == [1]
    assert client.get("/api/v1/ratings/?has_comment=true").json()["count"] == 1


def test_customers_cannot_list_ratings(client, customer_user):
    client.force_login(customer_user)
    assert client.get("/api/v1/ratings/").status_code == 403


def test_staff_of_another_team_do_not_see_the_ratings(client, queue, agent):
    rated(queue, agent)
    outsider = factories.agent_in(factories.TeamFactory())
    client.force_login(outsider)
    assert client.get("/api/v1/ratings/").json()["count"] == 0


def test_the_ratings_list_has_a_flat_number_of_queries(client, queue, agent, django_assert_max_num_queries):
    client.force_login(agent)
    for n in (2, 10):
        for _ in range(n):
            rated(queue, agent)
        with django_assert_max_num_queries(6):
            assert client.get("/api/v1/ratings/").status_code == 200


def test_an_agent_creates_and_lists_their_own_pulses(client, ticket, agent):
    client.force_login(agent)
    response = client.post(
        "/api/v1/pulses/", {"ticket": ticket.reference, "score": 3, "note": "fine"}, content_type="application/json"
    )
    assert response.status_code == 201
    weekly = client.post("/api/v1/pulses/", {"kind": "weekly", "score": 5}, content_type="application/json")
    assert weekly.status_code == 201
    body = client.get("/api/v1/pulses/").json()
    assert sorted(p["kind"] for p in body["results"]) == ["ticket", "weekly"]


def test_a_pulse_for_a_ticket_the_agent_cannot_see_is_404(client, ticket):
    outsider = factories.agent_in(factories.TeamFactory())
    client.force_login(outsider)
    response = client.post("/api/v1/pulses/", {"ticket": ticket.reference, "score": 3}, content_type="application/json")
    assert response.status_code == 404


def test_the_endpoints_are_in_the_openapi_schema(client, admin_user):
    client.force_login(admin_user)
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/tickets/{reference}/survey/",
        "/api/v1/tickets/{reference}/survey/rating/",
        "/api/v1/ratings/",
        "/api/v1/pulses/",
    ):
        assert path in paths


def test_the_wow_board_has_a_flat_number_of_queries(client, queue, agent, django_assert_max_num_queries):
    client.force_login(agent)
    for n in (2, 10):
        for _ in range(n):
            rated(queue, agent, stars=5, comment=f"Wonderful {timezone.now()}")
        with django_assert_max_num_queries(10):
            response = client.get("/wow/")
        assert response.status_code == 200 and "Wonderful" in response.content.decode()


def test_ratings_filter_by_ticket_reference(client, queue, agent):
    first, _second = rated(queue, agent, 5), rated(queue, agent, 3)
    client.force_login(agent)
    rows = client.get("/api/v1/ratings/", {"ticket": first.ticket.reference}).json()["results"]
    assert [row["id"] for row in rows] == [first.pk]


def test_a_rating_shows_its_history(client, queue, agent):
    rating = rated(queue, agent, 2, comment="Slow")
    services.rating_submit(survey_id=rating.survey_id, stars=4, comment="Sorted after all")
    client.force_login(agent)
    body = client.get(f"/api/v1/ratings/{rating.pk}/").json()
    assert body["stars"] == 4
    assert [(change["stars"], change["comment"]) for change in body["history"]] == [
        (2, "Slow"), (4, "Sorted after all")]


def test_the_ratings_list_keeps_a_constant_number_of_queries(client, queue, agent, django_assert_max_num_queries):
    client.force_login(agent)
    rated(queue, agent, 4)
    client.get("/api/v1/ratings/")
    for _ in range(5):
        rated(queue, agent, 3)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/ratings/").status_code == 200
