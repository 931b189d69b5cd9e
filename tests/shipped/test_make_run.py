"""`make run` from a fresh clone: the links the desk emails open pages of its web server, the log shows
work rather than idle sweeps, and Ctrl-C stops everything cleanly."""

import os
import re
import secrets
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.shipped.client import DeskClient
from tests.shipped.desk import ROOT, links_in

pytestmark = pytest.mark.shipped

# The outbox sweep runs every two seconds; when it finds nothing to do, the log should not say so.
SWEEP_SECONDS = 2
IDLE_SWEEP_LINES = re.compile(
    r"Sending due task outbox-send-due"
    r"|outbox\.send_due\[[^\]]+\] received"
    r"|outbox\.send_due\[[^\]]+\] succeeded in \S+ \{'batches': 0\}"
)


def open_link(url: str, **headers):
    """GET a link exactly where it points (its own host and port), as a mail client's browser would."""
    parts = urlsplit(url)
    client = DeskClient(f"{parts.scheme}://{parts.netloc}")
    client.extra_headers.update(headers)
    return client.get(url)


def open_ticket(desk, *, language: str = "en") -> tuple[str, DeskClient]:
    email = f"customer-{secrets.token_hex(4)}@example.com"
    customer = DeskClient(desk.url)
    customer.extra_headers["Accept-Language"] = language
    reply = customer.post_form("/support/", {
        "name": "Kadri Tamm", "email": email, "subject": "Printer prints blank pages",
        "description": "Since Monday the printer in room 4 prints only blank pages.",
    })
    assert reply.status == 200, reply.text[:2000]
    return email, customer


def agent_token(desk) -> str:
    output = desk.manage("drf_create_token", "agent").stdout
    return re.search(r"Generated token (\w+)", output).group(1)


def test_confirmation_email_links_to_the_web_server(shipped_desk):
    email, _customer = open_ticket(shipped_desk)

    confirmation = shipped_desk.wait_for_mail(to=email, containing="/t/")
    [link] = links_in(confirmation, "/t/")

    assert link.startswith(shipped_desk.url + "/"), f"{link} does not point at the web server {shipped_desk.url}"
    assert open_link(link).status == 200


def test_survey_email_links_to_the_web_server(shipped_desk):
    email, _customer = open_ticket(shipped_desk, language="et")
    confirmation = shipped_desk.wait_for_mail(to=email, containing="/t/")
    reference = re.search(r"\[([^\]]+)\]", str(confirmation["Subject"])).group(1)
    agent = DeskClient(shipped_desk.url)
    agent.extra_headers["Authorization"] = f"Token {agent_token(shipped_desk)}"
    ticket = agent.get(f"/api/v1/tickets/{reference}/").json()
    resolved = agent.request(
        "POST", f"/api/v1/tickets/{reference}/messages/",
        body=b'{"body": "We replaced the toner cartridge.", "status": "resolved", "version": %d}' % ticket["version"],
        headers={"Content-Type": "application/json"},
    )
    assert resolved.status == 201, resolved.text

    survey = shipped_desk.wait_for_mail(to=email, containing="/survey/")
    star_links = links_in(survey, "stars=5")

    assert star_links, "the survey email has no five-star link"
    assert star_links[0].startswith(shipped_desk.url + "/"), f"{star_links[0]} is not on {shipped_desk.url}"
    assert open_link(star_links[0], **{"Accept-Language": "et"}).status == 200


def test_log_shows_work_but_not_idle_sweeps(shipped_desk):
    email, _customer = open_ticket(shipped_desk)
    shipped_desk.wait_for_mail(to=email, containing="/t/")
    shipped_desk.wait_until_up_for(3 * SWEEP_SECONDS)  # beat's sweep has come round at least three times

    log = shipped_desk.log()

    # The confirmation went out in one of the outbox's drains: real work, which stays at INFO.
    assert re.search(r"outbox\.send_due\[[^\]]+\] succeeded in \S+ \{'batches': [1-9]", log), \
        "real work must stay at INFO"
    idle = [match.group(0) for match in IDLE_SWEEP_LINES.finditer(log)]
    assert not idle, f"{len(idle)} lines about idle sweeps in the log of `make run`, e.g. {idle[:3]}"


def test_ctrl_c_stops_make_run_without_errors(shipped_desk):
    # While idle: a task running at that moment is waited for (warm shutdown), up to honcho's 5 s.
    shipped_desk.wait_until_idle()
    exit_status = shipped_desk.interrupt()
    log = shipped_desk.log()  # the fixture starts the desk again for the next test that needs it

    stopping = log[log.index("SIGINT received"):]
    assert "make: ***" not in stopping, stopping
    assert not re.search(r"Traceback|ERROR|SIGKILL", stopping), stopping
    assert re.search(r"worker\.\d+ stopped \(rc=0\)", stopping), stopping
    assert exit_status in (0, -2, 130), f"make ended with {exit_status}"


def test_make_run_sends_a_resolved_tickets_survey_within_the_minute_unless_told_otherwise():
    """A new user trying the desk sees the survey email on the Sent mail page, not an hour later."""
    env = {name: value for name, value in os.environ.items() if name not in ("SURVEY_DELAY_SECONDS", "MAKEFLAGS")}
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "survey email goes out 60 seconds after" in dry_run.stdout


def test_the_banner_says_when_surveys_go_out(shipped_desk):
    assert "survey email goes out 2 seconds after" in shipped_desk.log()
