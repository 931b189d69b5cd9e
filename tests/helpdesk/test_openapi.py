"""The OpenAPI schema: generated without warnings, valid, and documenting every API path with its shapes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

API_PREFIX = "/api/v1/"


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _api_paths() -> set[str]:
    """Every URL pattern under /api/v1/, in OpenAPI form (`{name}` for each captured parameter)."""
    found = set()

    def walk(patterns, prefix):
        for p in patterns:
            regex = p.pattern.regex.pattern if hasattr(p.pattern, "regex") else str(p.pattern)
            part = regex.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
            part = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", part).replace("{pk}", "{id}")  # as spectacular
            part = re.sub(r"\\(.)", r"\1", part)  # path() escapes literal characters such as "-"
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + part)
            elif isinstance(p, URLPattern):
                path = "/" + prefix + part
                if path.startswith(API_PREFIX):
                    found.add(path)

    walk(get_resolver().url_patterns, "")
    return found


def test_manage_py_spectacular_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    env = {**os.environ, "DJANGO_TESTING": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Warning" not in result.stderr, result.stderr[-4000:]
    assert yaml.safe_load(out.read_text())["paths"]


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_every_api_path_is_documented(schema):
    paths = _api_paths()
    assert paths, "no API routes found under /api/v1/"
    missing = sorted(paths - set(schema["paths"]))
    assert not missing, missing


@pytest.mark.parametrize(("path", "method", "success", "errors"), [
    ("/api/v1/tickets/", "get", "200", {"400", "401", "403"}),
    ("/api/v1/tickets/", "post", "201", {"400", "401", "403"}),
    ("/api/v1/tickets/{reference}/", "get", "200", {"401", "403", "404"}),
    ("/api/v1/tickets/{reference}/", "patch", "200", {"400", "401", "403", "404", "409"}),
    ("/api/v1/tickets/{reference}/messages/", "get", "200", {"401", "403", "404"}),
    ("/api/v1/tickets/{reference}/messages/", "post", "201", {"400", "401", "403", "404"}),
])
def test_ticket_operations_document_request_response_and_errors(schema, path, method, success, errors):
    operation = schema["paths"][path][method]
    responses = operation["responses"]
    assert responses[success]["content"]["application/json"]["schema"]
    assert errors <= set(responses), sorted(responses)
    for code in errors:
        assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    if method in ("post", "patch"):
        assert operation["requestBody"]["content"]["application/json"]["schema"]


def test_ticket_paths_are_documented_with_only_their_allowed_methods(schema):
    assert set(schema["paths"]["/api/v1/tickets/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/tickets/{reference}/messages/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/tickets/{reference}/"]) == {"get", "patch"}


def test_ticket_list_documents_the_filter_parameters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}
    assert {"q", "status", "priority", "kind", "queue", "assignee", "tag", "created_after", "created_before",
            "ordering", "page"} <= names


def test_ticket_shape_is_documented(schema):
    ticket = schema["components"]["schemas"]["Ticket"]["properties"]
    assert {"reference", "subject", "description", "status", "priority", "kind", "channel", "language", "queue",
            "assignee", "customer", "tags", "created_at", "updated_at", "first_response_at", "resolved_at",
            "closed_at", "reopen_count", "version", "allowed_transitions", "links"} == set(ticket)
    update = schema["components"]["schemas"]["TicketUpdateRequest"]
    assert update["required"] == ["version"]


def test_error_contract_is_a_schema_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert {"code", "detail"} <= set(error["required"])


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
