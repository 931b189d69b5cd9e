"""`ingest_email` as an MTA runs it: a real process reading standard input, with exit status and one
line of output, and the intake service surviving any bytes."""

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tickets.fresh_install import MANAGE, ROOT, copy_of, production_env
from tickets.models import InboundEmail
from tickets.services.email_intake import ticket_create_from_email

EMAILS = Path(__file__).parent / "emails"


@pytest.fixture(scope="module")
def mta_env(migrated_database, tmp_path_factory):
    """Real `manage.py` processes as an MTA runs them, on a desk with a default queue."""
    database = copy_of(migrated_database, tmp_path_factory.mktemp("mta"))
    env = {**production_env(database), "DEBUG": "1", "DJANGO_TESTING": "1"}
    subprocess.run([*MANAGE, "shell", "-c", "from tickets.models import Team, Queue; t = Team.objects.create("
                    "name='S', slug='s'); Queue.objects.create(team=t, name='Q', slug='q', is_default=True)"],
                   env=env, check=True, cwd=ROOT, timeout=120, capture_output=True)
    return MANAGE, env


def pipe(mta_env, data: bytes) -> subprocess.CompletedProcess:
    manage, env = mta_env
    return subprocess.run([*manage, "ingest_email"], input=data, env=env, cwd=ROOT, capture_output=True, timeout=120)


def errors_without_logging(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if line and " INFO " not in line and " WARNING " not in line]


def test_a_piped_email_exits_zero_and_names_the_new_ticket(mta_env):
    done = pipe(mta_env, (EMAILS / "latin1_with_attachments.eml").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("new ticket DD-")


@pytest.mark.parametrize("name", ["bounce.eml", "no_sender.eml"])
def test_a_piped_email_that_cannot_be_a_ticket_exits_65_with_one_line_and_no_traceback(mta_env, name):
    done = pipe(mta_env, (EMAILS / name).read_bytes())
    assert done.returncode == 65
    lines = errors_without_logging(done.stderr)
    assert len(lines) == 1 and lines[0].startswith("CommandError: rejected: ")
    assert b"Traceback" not in done.stderr


def test_a_piped_email_with_a_broken_mime_structure_becomes_a_ticket(mta_env):
    done = pipe(mta_env, (EMAILS / "malformed.eml").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("new ticket DD-")


@pytest.fixture(scope="module")
def fresh_install_env(migrated_database, tmp_path_factory):
    """A desk as a production install leaves it: `migrate` and nothing else."""
    return MANAGE, production_env(copy_of(migrated_database, tmp_path_factory.mktemp("fresh")))


def test_the_first_email_piped_into_a_fresh_install_becomes_a_ticket(fresh_install_env):
    done = pipe(fresh_install_env, (EMAILS / "multipart_alternative_utf8.eml").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("new ticket DD-")


def test_piped_garbage_exits_65_without_a_traceback(mta_env):
    done = pipe(mta_env, b"\x00\xff garbage \x80\x81\r\n\r\n")
    assert done.returncode == 65
    assert b"Traceback" not in done.stderr


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    headers=st.lists(st.tuples(st.sampled_from(["From", "Subject", "Message-ID", "In-Reply-To", "References",
                                                "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"]),
                               st.text(max_size=60)), max_size=6),
    body=st.binary(max_size=500),
)
def test_the_intake_service_records_an_outcome_for_any_email_and_never_raises(queue, headers, body):
    raw = b"".join(f"{name}: {value}".encode("utf-8", "surrogatepass") + b"\r\n" for name, value in headers)
    result = ticket_create_from_email(raw=raw + b"\r\n" + body)
    assert InboundEmail.objects.filter(pk=result.inbound.pk).exists()
    assert result.summary
