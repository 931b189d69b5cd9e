"""What an integrating client relies on, across the whole API: one anonymous answer (401 with a challenge),
unknown query parameters refused, JSON types checked, one shape for people, errors as JSON everywhere."""

import pytest
from rest_framework.test import APIClient

from escalation import services as escalation_services
from escalation.models import Trigger
from feedback import services as feedback_services
from tests import factories
from tests.escalation import factories as esc
from tests.feedback.helpers import resolve, survey_of

pytestmark = pytest.mark.django_db

ANONYMOUS_PATHS = [
    "/api/v1/tickets/", "/api/v1/tickets/DD-1/", "/api/v1/tickets/DD-1/messages/", "/api/v1/tickets/DD-1/survey/",
    "/api/v1/ratings/", "/api/v1/ratings/1/", "/api/v1/pulses/", "/api/v1/escalations/", "/api/v1/remedies/",
    "/api/v1/me/", "/api/v1/reports/csat/", "/api/v1/reports/revenue-at-risk/", "/api/v1/reports/escalations/",
]
LISTS = [
    "/api/v1/tickets/", "/api/v1/tickets/{ref}/messages/", "/api/v1/ratings/", "/api/v1/pulses/",
    "/api/v1/escalations/", "/api/v1/remedies/", "/api/v1/tickets/{ref}/remedies/",
]


@pytest.fixture
def desk(settings, team, queue, agent, supervisor, customer):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    esc.always_open_calendar(team)
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    rated = factories.TicketFactory(queue=queue, customer=customer)
    resolve(rated, agent)
    rating = feedback_services.rating_submit(survey_id=survey_of(rated).pk, stars=4, comment="Fine")
    escalation, _ = escalation_services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=agent,
                                                         reason_text="help")
    return {"ticket": ticket, "rated": rated, "rating": rating, "escalation": escalation}


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("path", ANONYMOUS_PATHS)
def test_anonymous_requests_answer_401_with_a_token_challenge(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_the_browser_session_still_authenticates(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize("path", LISTS)
def test_a_query_parameter_the_list_does_not_know_answers_400(desk, admin_user, path):
    path = path.format(ref=desk["ticket"].reference)
    response = api_as(admin_user).get(path, {"ticket_ref": "DD-1301"})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "ticket_ref" in response.json()["errors"]


@pytest.mark.parametrize("path", LISTS)
def test_pagination_and_format_parameters_are_known_to_every_list(desk, admin_user, path):
    path = path.format(ref=desk["ticket"].reference)
    assert api_as(admin_user).get(path, {"page": 1, "format": "json"}).status_code == 200


def test_an_unknown_parameter_of_the_escalation_report_answers_400(admin_user):
    assert api_as(admin_user).get("/api/v1/reports/escalations/", {"ticket": "DD-1"}).status_code == 400


def test_a_json_value_of_the_wrong_type_is_refused_not_coerced(desk, agent):
    response = api_as(agent).post("/api/v1/tickets/bulk-status/",
                                  {"references": [desk["ticket"].reference], "status": "pending", "reason": 5},
                                  format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_a_url_under_api_that_names_nothing_answers_json_404(admin_user):
    response = api_as(admin_user).get("/api/v1/escalations/not-a-number/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_people_have_one_shape_everywhere(desk, admin_user, agent):
    api = api_as(admin_user)
    person = {"id": agent.pk, "name": agent.get_full_name() or agent.get_username()}
    assert api.get(f"/api/v1/tickets/{desk['rated'].reference}/").json()["assignee"] == person
    assert api.get(f"/api/v1/ratings/{desk['rating'].pk}/").json()["agent"] == person
    escalation = api.get(f"/api/v1/escalations/{desk['escalation'].pk}/").json()
    assert escalation["events"][0]["actor"] == person
    assert set(escalation["assigned_to"]) == {"id", "name"}
    assert set(escalation["customer"]) == {"name", "email"}


def test_the_schema_documents_one_person_shape(client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert set(schema["PersonSummary"]["properties"]) == {"id", "name"}
    assert "EscalationPerson" not in schema and "Person" not in schema
    assert "format" not in schema["CustomerSummary"]["properties"]["email"]


# Public: a signed survey link, and the token endpoint (credentials in the body): no 401 to answer.
PUBLIC_OPERATIONS = {"/api/v1/tickets/{reference}/survey/rating/", "/api/v1/auth/token/"}


def test_the_schema_documents_every_error_an_operation_can_answer(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "403", "404", "429"} <= codes, (method, path, codes)
            if path not in PUBLIC_OPERATIONS:
                assert "401" in codes, (method, path)
            if method in ("post", "patch"):
                assert {"409", "415"} <= codes, (method, path)


def test_a_customers_survey_matches_its_documented_shape(client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    survey = schema["StaffSurvey"]
    assert "last_error" not in survey["required"] and "message_id" not in survey["required"]


def test_a_url_under_api_that_names_nothing_answers_json_404_in_debug_too(settings, admin_user):
    settings.DEBUG = True  # Django would show its technical HTML page; `make run` runs with DEBUG on
    response = api_as(admin_user).get("/api/v1/tickets/DD-1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("query", ["page=abc", "page=", "page=1&page=2"])
def test_a_page_that_is_not_a_number_answers_400(admin_user, query):
    response = api_as(admin_user).get(f"/api/v1/pulses/?{query}")
    assert response.status_code == 400
    assert "page" in response.json()["errors"]
