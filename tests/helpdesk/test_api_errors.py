"""The one API error contract: Django's own 404 and 403 come out with DRF's codes."""

import pytest
from django.http import Http404
from rest_framework.test import APIRequestFactory

from helpdesk.api import exception_handler
from helpdesk.errors import DomainError
from tickets.exceptions import IllegalTransition


def _handle(exc):
    request = APIRequestFactory().get("/api/v1/")
    return exception_handler(exc, {"request": request, "view": None})


def test_django_http404_answers_not_found_code():
    response = _handle(Http404())
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_django_permission_denied_answers_permission_denied_code():
    from django.core.exceptions import PermissionDenied

    response = _handle(PermissionDenied())
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_domain_error_string_is_the_filled_in_message():
    error = IllegalTransition(from_status="Closed", to_status="Open")
    assert str(error) == "A ticket cannot go from Closed to Open."


@pytest.mark.parametrize("status", [400, 409])
def test_domain_error_keeps_its_status_and_code(status):
    class Custom(DomainError):
        code = "custom"
        status_code = status

    response = _handle(Custom("Nope"))
    assert (response.status_code, response.data) == (status, {"code": "custom", "detail": "Nope"})


@pytest.fixture
def crashing_ticket_list(monkeypatch):
    from tickets.api.views import TicketViewSet

    def crash(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(TicketViewSet, "list", crash)


@pytest.mark.django_db
def test_a_server_error_under_api_answers_json_with_the_error_contract(client, admin_user, crashing_ticket_list):
    client.raise_request_exception = False
    client.force_login(admin_user)
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "server_error", "detail": "A server error occurred."}


@pytest.mark.django_db
def test_a_server_error_on_a_page_still_answers_the_html_page(client, admin_user, monkeypatch):
    from tickets.views import workspace

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(workspace.selectors_workspace, "ticket_list_for_user", crash)
    client.raise_request_exception = False
    client.force_login(admin_user)
    response = client.get("/tickets/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
