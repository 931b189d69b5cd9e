"""The API's token endpoint: a username and password give the user's token; failed tries share the login
pages' lock (django-axes), answered as the API's JSON error (issue 14.4)."""

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 10
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _try(client, username, password, **extra):
    return client.post(URL, {"username": username, "password": password}, content_type="application/json", **extra)


def test_the_right_password_gives_the_users_token_and_it_opens_the_api(client, agent):
    response = _try(client, agent.username, "demo")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=agent).key == token
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_asking_twice_gives_the_same_token(client, agent):
    assert _try(client, agent.username, "demo").json() == _try(client, agent.username, "demo").json()


def test_a_wrong_password_is_a_400_with_the_error_contract_and_no_token(client, agent):
    response = _try(client, agent.username, "wrong")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.filter(user=agent).exists()


def test_missing_fields_are_named(client):
    response = client.post(URL, {}, content_type="application/json")
    assert response.status_code == 400
    assert "username" in response.json()["detail"] or "username" in str(response.json())


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_429_json(client, agent):
    for n in range(50):
        _try(client, agent.username, f"guess-{n}")
    response = _try(client, agent.username, "demo")
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert response["Retry-After"]
    assert not Token.objects.filter(user=agent).exists()


def test_failures_on_the_api_lock_the_desk_login_too(client, agent):
    for n in range(10):
        _try(client, agent.username, f"guess-{n}")
    response = client.post("/accounts/login/", {"username": agent.username, "password": "demo"})
    assert response.status_code == 429


def test_the_endpoint_is_in_the_schema_without_authentication(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "429"}
    assert operation.get("security") in (None, [], [{}])  # no credentials needed (no global security)
    assert "security" not in schema
