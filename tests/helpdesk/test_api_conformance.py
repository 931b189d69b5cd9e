"""The API matches its own OpenAPI schema, for every role: schemathesis with every check on, in-process.

schemathesis loads /api/schema/ from the live test server (a real threaded server) and runs its phases
(examples and fuzzing) against every operation with a bounded number of examples, with a token of
each role. Every
failure (an undocumented status code, a body that does not match its schema, a 500, an anonymous answer
without `WWW-Authenticate`, ...) is listed. `schemathesis.toml` at the project root holds the one
project-wide setting, shared with the command line (see its comment).
"""

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from escalation import services as escalation_services
from escalation.models import Trigger
from feedback import services as feedback_services
from tests import factories
from tests.escalation import factories as esc
from tests.feedback.helpers import resolve, survey_of

# The live server answers from threads of its own: the data must be committed to be seen.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.conformance]

MAX_EXAMPLES = 3
# Every check, on the examples and fuzzing phases. The coverage phase (boundary values of every
# parameter) took over three minutes for one role on this suite's 2-core machine, more than the rest of
# the suite together: run it with the command line in the README (`schemathesis run --checks all`,
# whose default phases include it) before a release, not on every test run.
PHASES = ["examples", "fuzzing"]


@pytest.fixture
def desk(settings, team, queue, agent, supervisor, admin_user, customer_user, customer):
    """A small desk: a ticket of each state, a rating, an escalation and a remedy to find."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute", "user": "100000/minute"}}
    esc.always_open_calendar(team)
    open_ticket = factories.TicketFactory(queue=queue, customer=customer)
    rated = factories.TicketFactory(queue=queue, customer=customer)
    resolve(rated, agent)
    feedback_services.rating_submit(survey_id=survey_of(rated).pk, stars=2, comment="Slow")
    escalation_services.escalation_raise(ticket=open_ticket, trigger=Trigger.MANUAL, actor=agent, reason_text="help")
    esc.limit(kind="refund", max_amount=50, role="agent")
    return {"agent": agent, "supervisor": supervisor, "admin": admin_user, "customer": customer_user}


def run_schemathesis(base_url: str, user, phases: list[str]) -> list[str]:
    token = Token.objects.get_or_create(user=user)[0].key
    config = SchemathesisConfig.discover()
    project = config.projects.override
    project.update(headers={"Authorization": f"Token {token}"}, workers=1)
    project.checks.update(included_check_names=["all"])
    project.phases.update(phases=phases)
    project.generation.update(max_examples=MAX_EXAMPLES, database="none", deterministic=True)
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", config=config)
    found = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: error: {event.value!r}")
        elif isinstance(event, events.FatalError):
            found.append(f"fatal error: {event.exception!r}")
        elif isinstance(event, events.ScenarioFinished):
            found.extend(_failed_checks(event))
    return found


def _failed_checks(event) -> list[str]:
    found = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                found.append(f"{event.label}: {check.name}: {failure.title}: {failure.message}"[:600])
    return found


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent", "customer"])
def test_the_api_conforms_to_its_schema_with_every_check(live_server, desk, role):
    failures = run_schemathesis(live_server.url, desk[role], PHASES)
    assert not failures, "\n".join(sorted(set(failures)))
