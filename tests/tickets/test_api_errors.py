"""The API error contract ({"code", "detail"} from helpdesk/api.py) and a malformed-input sweep: never a 500.

The test client re-raises any exception a view lets escape, so a crash fails these tests loudly.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests import factories
from tickets.models import Message, Ticket

LIST = "/api/v1/tickets/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detail(ticket) -> str:
    return f"/api/v1/tickets/{ticket.reference}/"


def assert_contract(response, status: int | None = None):
    assert response.status_code < 500, response.content[:500]
    if status is not None:
        assert response.status_code == status, response.content[:500]
    body = response.json()
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- the contract, one status at a time ---------------------------------------------------------------


def test_validation_error_has_code_detail_and_field_errors(agent, ticket):
    body = assert_contract(client_for(agent).patch(detail(ticket), {"version": "x"}, format="json"), 400)
    assert body["code"] == "invalid"
    assert "version" in body["errors"]


def test_domain_error_has_its_own_code(agent, ticket):
    body = assert_contract(client_for(agent).patch(detail(ticket), {"version": 1, "status": "closed"},
                                                   format="json"), 400)
    assert body["code"] == "illegal_transition"


def test_conflict_has_code_stale_ticket(agent, ticket):
    body = assert_contract(client_for(agent).patch(detail(ticket), {"version": 7}, format="json"), 409)
    assert body["code"] == "stale_ticket"


def test_unauthenticated_has_code(ticket):
    assert assert_contract(client_for().get(LIST), 401)["code"] == "not_authenticated"


def test_forbidden_has_code(customer_user, ticket):
    body = assert_contract(client_for(customer_user).patch(detail(ticket), {"version": 1}, format="json"), 403)
    assert body["code"] == "permission_denied"


def test_user_without_a_role_is_forbidden(db, ticket):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user(username="nobody", password="x")
    assert assert_contract(client_for(nobody).get(LIST), 403)["code"] == "permission_denied"


def test_not_found_has_code(agent, ticket):
    assert assert_contract(client_for(agent).get("/api/v1/tickets/DD-0/"), 404)["code"] == "not_found"


def test_method_not_allowed_has_code(agent, ticket):
    assert assert_contract(client_for(agent).delete(detail(ticket)), 405)["code"] == "method_not_allowed"


def test_unsupported_media_type_has_code(agent, ticket):
    response = client_for(agent).generic("PATCH", detail(ticket), "version=1", content_type="text/plain")
    assert assert_contract(response, 415)["code"] == "unsupported_media_type"


def test_bad_json_is_a_parse_error(agent, ticket):
    response = client_for(agent).generic("PATCH", detail(ticket), '{"version": 1,', content_type="application/json")
    assert assert_contract(response, 400)["code"] == "parse_error"


def test_non_utf8_body_is_a_parse_error(customer_user, queue):
    response = client_for(customer_user).generic(
        "POST", LIST, b'{"subject": "caf\xe9", "description": "\xff\xfe"}', content_type="application/json"
    )
    assert assert_contract(response, 400)["code"] == "parse_error"
    assert not Ticket.objects.exists()


# --- malformed-input sweep --------------------------------------------------------------------------


HUGE = "x" * 1_000_001
BAD_VALUES = [None, 0, -1, 1.5, 2**64, -(2**64), True, "", " ", "\x00", HUGE, [], [1, 2], {}, {"a": {"b": [None]}},
              "💥" * 300, "DROP TABLE tickets; --"]


CREATE_FIELDS = ["subject", "description", "kind", "language", "priority", "queue", "tags", "customer_email",
                 "customer_name"]
PATCH_FIELDS = ["version", "status", "priority", "kind", "queue", "assignee", "tags"]
PATCH_VALUES = [*BAD_VALUES, "closed", "1", 10**30, ["a b"], ["ok"] * 100, [["nested"]]]


@pytest.mark.parametrize("field", CREATE_FIELDS)
def test_create_with_wrong_values_never_500s(field, agent, queue):
    client = client_for(agent)
    for value in BAD_VALUES:
        payload = {"subject": "S", "description": "D", "customer_email": "a@example.com", field: value}
        response = client.post(LIST, payload, format="json")
        if response.status_code != 201:
            assert_contract(response, 400)


@pytest.mark.parametrize("field", CREATE_FIELDS)
def test_customer_create_with_wrong_values_never_500s(field, customer_user, queue):
    client = client_for(customer_user)
    for value in BAD_VALUES:
        response = client.post(LIST, {"subject": "S", "description": "D", field: value}, format="json")
        if response.status_code != 201:
            assert_contract(response, 400)


@pytest.mark.parametrize("field", PATCH_FIELDS)
def test_patch_with_wrong_values_never_500s(field, agent, ticket):
    client = client_for(agent)
    for value in PATCH_VALUES:
        ticket.refresh_from_db()
        response = client.patch(detail(ticket), {"version": ticket.version, field: value}, format="json")
        if response.status_code != 200:
            assert_contract(response)
            assert response.status_code in (400, 409), (value, response.content[:300])


@pytest.mark.parametrize("field", ["body", "kind"])
def test_message_with_wrong_values_never_500s(field, agent, customer_user, ticket):
    for user in (agent, customer_user):
        client = client_for(user)
        for value in BAD_VALUES:
            response = client.post(detail(ticket) + "messages/", {"body": "hello", field: value}, format="json")
            if response.status_code != 201:
                assert_contract(response)
                assert response.status_code in (400, 403), (value, response.content[:300])


@pytest.mark.parametrize("raw", ["[]", '"text"', "42", "null", "true", '{"version": 1}' * 2, "{", "",
                                 '{"version": NaN}', '{"version": Infinity}', '{"version": 1e999}'])
def test_patch_with_a_body_that_is_not_an_object_never_500s(raw, agent, ticket):
    response = client_for(agent).generic("PATCH", detail(ticket), raw, content_type="application/json")
    assert_contract(response, 400)


def test_unknown_fields_are_refused_by_name(agent, ticket):
    response = client_for(agent).patch(detail(ticket), {"version": 1, "subject": "hijack", "customer": 5},
                                       format="json")
    body = assert_contract(response, 400)
    assert set(body["errors"]) == {"subject", "customer"}


def test_huge_subject_is_refused_and_nothing_is_created(customer_user, queue):
    response = client_for(customer_user).post(LIST, {"subject": "s" * 201, "description": "d"}, format="json")
    assert "subject" in assert_contract(response, 400)["errors"]
    assert not Ticket.objects.exists()


def test_huge_message_body_is_refused(agent, ticket):
    response = client_for(agent).post(detail(ticket) + "messages/", {"body": HUGE}, format="json")
    assert "body" in assert_contract(response, 400)["errors"]
    assert not Message.objects.exists()


def test_form_encoded_input_is_accepted_too(agent, ticket):
    response = client_for(agent).patch(detail(ticket), "version=1&priority=high",
                                       content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.json()["priority"] == "high"


BAD_REFERENCES = ["%00", "DD-1%00", "%FF%FE", "A" * 5000, "DD-%C3%BC", "%20", "DD-1'%20OR%20'1'='1",
                  "%E2%80%AE", "DD-1001.json", "-1"]


def test_bad_references_answer_404_in_the_contract(agent, ticket):
    client = client_for(agent)
    for reference in BAD_REFERENCES:
        for suffix in ("", "messages/"):
            url = f"/api/v1/tickets/{reference}/{suffix}"
            assert_contract(client.get(url), 404)
            assert_contract(client.post(url, {"body": "x"}, format="json"), 405 if not suffix else 404)
            if not suffix:
                assert_contract(client.patch(url, {"version": 1}, format="json"), 404)


def test_a_reference_with_an_encoded_slash_is_a_plain_404(agent, ticket):
    # %2F decodes to "/", so no API route matches: Django's own 404, still never a 500.
    assert client_for(agent).get("/api/v1/tickets/..%2F../").status_code == 404


BAD_QUERIES = ["q=%FF%FE", "q=%00", "status=%FF", "status=asleep", "priority=", "kind=x&kind=y", "queue=%00",
               "assignee=%00", "assignee=99999999999999999999999", "assignee=-1", "assignee=%C2%B2", "assignee=%D9%A3",
               "tag=%FF", "tag=%00",
               "created_after=yesterday", "created_before=2026-13-45T99:00", "created_after=%00",
               "ordering=password", "ordering=-customer__email", "page=abc", "page=-1", "page=0",
               "page=999999999999999999999999", "q=" + "a" * 10000, "status=new&status=new&status=open"]


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_bad_query_strings_never_500(role, agent, customer_user, ticket):
    client = client_for(agent if role == "agent" else customer_user)
    for query in BAD_QUERIES:
        response = client.get(f"{LIST}?{query}")
        if response.status_code != 200:
            assert_contract(response)
            assert response.status_code in (400, 404), (query, response.content[:300])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(
    st.sampled_from(["version", "status", "priority", "kind", "queue", "assignee", "tags", "extra"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=8),
    max_size=5,
))
def test_any_json_object_patched_never_500s(payload, agent, ticket):
    response = client_for(agent).generic("PATCH", detail(ticket), json.dumps(payload), content_type="application/json")
    if response.status_code != 200:
        assert_contract(response)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_any_bytes_posted_never_500(raw, customer_user, queue):
    response = client_for(customer_user).generic("POST", LIST, raw, content_type="application/json")
    if response.status_code != 201:
        assert_contract(response, 400)


def test_other_customers_reference_and_a_missing_one_answer_alike(queue, ticket):
    stranger = factories.user_with_role("customer")
    theirs = client_for(stranger).get(detail(ticket))
    missing = client_for(stranger).get("/api/v1/tickets/DD-424242/")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
