"""The OpenAPI schema is generated once per process and language, so parallel requests all get it.

drf-spectacular's generation is not thread-safe (its issues 1123 and 1368: "Schema generation REQUIRES a
view instance" under concurrent requests), and a threaded server answered one request in eight with 500.
"""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

PARALLEL = 8
ROUNDS = 3


def _get(url: str, language: str = "en") -> tuple[int, bytes]:
    headers = {"Accept": "application/json", "Accept-Language": language}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the test's own live server
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the test's own live server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db(transaction=True)
def test_parallel_schema_requests_all_answer_200_on_a_threaded_server(live_server):
    url = f"{live_server.url}/api/schema/?format=json"
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for _ in range(ROUNDS):
            results = list(pool.map(lambda _n: _get(url), range(PARALLEL)))
            assert [status for status, _body in results] == [200] * PARALLEL
            bodies = {body for _status, body in results}
            assert len(bodies) == 1  # the same document for everyone
    assert json.loads(results[0][1])["paths"]


@pytest.mark.django_db(transaction=True)
def test_the_schema_is_served_in_the_requesters_language(live_server):
    url = f"{live_server.url}/api/schema/?format=json"
    english = json.loads(_get(url, "en")[1])
    dutch = json.loads(_get(url, "nl")[1])
    summary = english["paths"]["/api/v1/tickets/"]["get"]["summary"]
    assert summary == "List tickets"
    assert dutch["paths"]["/api/v1/tickets/"]["get"]["summary"] != summary
    assert json.loads(_get(url, "en")[1]) == english
