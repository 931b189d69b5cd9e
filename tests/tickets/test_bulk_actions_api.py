"""POST /api/v1/tickets/bulk-status/: many tickets to one status, by reference (staff)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from feedback.models import Survey
from tests import factories
from tickets import services
from tickets.forms.workspace import MAX_BULK_TICKETS
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

S = Ticket.Status
URL = "/api/v1/tickets/bulk-status/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def tickets_in(queue, n, **kwargs) -> list[Ticket]:
    return [factories.TicketFactory(queue=queue, customer=factories.CustomerFactory(), **kwargs) for _ in range(n)]


def refs(tickets) -> list[str]:
    return [t.reference for t in tickets]


def statuses(tickets) -> list[str]:
    return [Ticket.objects.get(pk=t.pk).status for t in tickets]


def post(user, body):
    return client_for(user).post(URL, body, format="json")


def test_staff_resolve_many_tickets_and_get_the_references_back(agent, queue):
    chosen = tickets_in(queue, 3)
    response = post(agent, {"references": refs(chosen), "status": "resolved"})
    assert response.status_code == 200
    assert response.json() == {"changed": refs(chosen), "unchanged": []}
    assert statuses(chosen) == [S.RESOLVED] * 3


def test_a_survey_is_scheduled_for_each_resolved_ticket(agent, queue):
    chosen = tickets_in(queue, 2)
    post(agent, {"references": refs(chosen), "status": "resolved"})
    assert sorted(Survey.objects.filter(ticket__in=chosen).values_list("ticket_id", "state")) == sorted(
        (t.pk, Survey.State.SCHEDULED) for t in chosen
    )


def test_skip_survey_reason_resolves_without_surveys(agent, queue):
    chosen = tickets_in(queue, 2)
    post(agent, {"references": refs(chosen), "status": "resolved", "skip_survey_reason": "spam wave"})
    assert set(Survey.objects.filter(ticket__in=chosen).values_list("state", "skip_reason")) == {
        (Survey.State.SKIPPED, Survey.SkipReason.SPAM)
    }


def test_the_reason_is_recorded_on_each_ticket(agent, queue):
    chosen = tickets_in(queue, 2)
    post(agent, {"references": refs(chosen), "status": "pending", "reason": "Waiting for parts"})
    assert set(TicketEvent.objects.filter(ticket__in=chosen, kind=TicketEvent.Kind.STATUS)
               .values_list("to_value", "reason")) == {(S.PENDING, "Waiting for parts")}


def test_tickets_whose_status_does_not_allow_it_are_unchanged(agent, queue):
    fresh = tickets_in(queue, 1)
    closed = tickets_in(queue, 1)
    services.ticket_transition(ticket=closed[0], to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=closed[0], to_status=S.CLOSED, actor=agent)
    response = post(agent, {"references": refs(fresh + closed), "status": "resolved"})
    assert response.json() == {"changed": refs(fresh), "unchanged": refs(closed)}


def test_invisible_and_unknown_references_are_unchanged_not_404(agent, queue):
    mine = tickets_in(queue, 1)
    theirs = tickets_in(factories.QueueFactory(team=factories.TeamFactory()), 1)
    body = {"references": [*refs(mine), *refs(theirs), "DD-999999", "not a reference!"], "status": "resolved"}
    response = post(agent, body)
    assert response.status_code == 200
    assert response.json() == {"changed": refs(mine),
                               "unchanged": [*refs(theirs), "DD-999999", "not a reference!"]}
    assert statuses(theirs) == [S.NEW]


def test_an_invisible_reference_answers_exactly_like_an_unknown_one(agent, queue):
    [theirs] = tickets_in(factories.QueueFactory(team=factories.TeamFactory()), 1)
    unknown = "DD-999999"
    seen = post(agent, {"references": [theirs.reference], "status": "resolved"})
    none = post(agent, {"references": [unknown], "status": "resolved"})
    assert (seen.status_code, seen.json()["changed"]) == (none.status_code, none.json()["changed"]) == (200, [])


def test_references_are_case_insensitive_and_counted_once(agent, queue):
    [ticket] = tickets_in(queue, 1)
    response = post(agent, {"references": [ticket.reference.lower(), ticket.reference], "status": "resolved"})
    assert response.json() == {"changed": [ticket.reference.lower()], "unchanged": []}


def test_more_than_500_references_are_refused_with_a_clear_message(agent, queue):
    chosen = tickets_in(queue, 1)
    references = refs(chosen) + [f"DD-{n}" for n in range(100_000, 100_000 + MAX_BULK_TICKETS)]
    response = post(agent, {"references": references, "status": "resolved"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["references"] == ["At most 500 tickets can be changed at once."]
    assert statuses(chosen) == [S.NEW]


def test_exactly_500_references_are_accepted(agent, queue):
    chosen = tickets_in(queue, 2)
    references = refs(chosen) + [f"DD-{n}" for n in range(100_000, 100_000 + MAX_BULK_TICKETS - 2)]
    response = post(agent, {"references": references, "status": "resolved"})
    assert response.status_code == 200
    assert response.json()["changed"] == refs(chosen)


def test_no_reference_is_refused(agent):
    response = post(agent, {"references": [], "status": "resolved"})
    assert response.status_code == 400
    assert response.json()["errors"]["references"] == ["Give at least one ticket reference."]


@pytest.mark.parametrize("status", ["new", "deleted", ""])
def test_a_status_that_cannot_be_set_in_bulk_is_refused(agent, queue, status):
    chosen = tickets_in(queue, 1)
    response = post(agent, {"references": refs(chosen), "status": status})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_unknown_fields_are_refused(agent, queue):
    response = post(agent, {"references": refs(tickets_in(queue, 1)), "status": "resolved", "statsu": "x"})
    assert response.status_code == 400
    assert "statsu" in response.json()["errors"]


def test_customers_get_403_and_nothing_changes(customer_user, ticket):
    response = post(customer_user, {"references": [ticket.reference], "status": "resolved"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert statuses([ticket]) == [S.NEW]


def test_anonymous_requests_get_401(ticket):
    response = client_for().post(URL, {"references": [ticket.reference], "status": "resolved"}, format="json")
    assert response.status_code == 401


def test_a_token_authenticates_the_agent(agent, queue):
    chosen = tickets_in(queue, 1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    response = client.post(URL, {"references": refs(chosen), "status": "resolved"}, format="json")
    assert response.status_code == 200


def test_the_query_count_does_not_grow_with_the_number_of_tickets(agent, queue):
    few, many = tickets_in(queue, 2), tickets_in(queue, 40)
    post(agent, {"references": ["DD-1"], "status": "pending"})  # the user's role, read once and kept
    with CaptureQueriesContext(connection) as small:
        post(agent, {"references": refs(few), "status": "pending"})
    with CaptureQueriesContext(connection) as large:
        post(agent, {"references": refs(many), "status": "pending"})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_endpoint_is_throttled_like_the_other_write_endpoints():
    from tickets.api.views import TicketViewSet

    view = TicketViewSet()
    view.action = "bulk_status"
    assert [type(t).__name__ for t in view.get_throttles()] == ["AnonRateThrottle", "UserRateThrottle"]


def test_the_schema_documents_the_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["post"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    assert set(request["properties"]) == {"references", "status", "reason", "skip_survey_reason"}
    assert request["properties"]["references"]["maxItems"] == MAX_BULK_TICKETS
    status = schema["components"]["schemas"]["TicketBulkStatusEnum"]
    assert status["enum"] == ["open", "pending", "resolved", "closed"]
    response_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][response_ref.rsplit("/", 1)[1]]["properties"]) == {
        "changed", "unchanged"
    }
