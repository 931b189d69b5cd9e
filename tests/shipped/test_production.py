"""The README's production section, followed step by step in a fresh copy of the tree.

The variables it names (DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, SITE_URL,
DATABASE_URL, REDIS_URL when this run has Redis, EMAIL_URL), then its install steps, then gunicorn as
it says (on a free port). The virtualenv running the tests stands for `pip install -r requirements.txt`.
Requests arrive as from the TLS proxy (Host desk.example.com, X-Forwarded-Proto: https). People are made
as a deployer makes them: the first admin with `createsuperuser`, the team, queue, agent, supervisor and
customer with the project's own services (what the admin pages do).
"""

import json
import re
import secrets
import signal
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse

from tests.shipped.client import DeskClient, StaticReferences, css_references
from tests.shipped.desk import ROOT, Backing, base_environment, free_port, fresh_copy, missing_tools, wait_until
from tests.shipped.fixtures import skip_or_fail

pytestmark = pytest.mark.production

HOST = "desk.example.com"
PASSWORD = "Kilpkonn-Rabarber-73"
# The commands of the README's production section, in its order; each must appear there verbatim.
INSTALL_STEPS = (
    "python manage.py compile_translations",
    "python manage.py collectstatic --no-input",
    "python manage.py migrate",
)
CREATE_ADMIN = "python manage.py createsuperuser"
WEB_SERVER = "gunicorn helpdesk.wsgi --workers 4 --bind 127.0.0.1:8000"

PEOPLE_AND_A_RESOLVED_TICKET = textwrap.dedent("""
    import json
    from feedback.models import Survey
    from feedback.tokens import survey_token_for
    from tickets import services
    from accounts.services import user_create_with_role
    from accounts.models import Membership, Team
    from tickets.models import Queue, Ticket
    from accounts.roles import Role

    team = Team.objects.create(name="Support", slug="support")
    Queue.objects.create(team=team, name="General", slug="general", is_default=True)
    people = {}
    for username, role in (("kati", Role.AGENT), ("juhan", Role.SUPERVISOR), ("mari", Role.CUSTOMER)):
        people[username] = user_create_with_role(
            username=username, password=PASSWORD, role=role, email=f"{username}@example.com")
    Membership.objects.create(team=team, user=people["kati"], role=Membership.TeamRole.AGENT)
    Membership.objects.create(team=team, user=people["juhan"], role=Membership.TeamRole.SUPERVISOR)
    ticket = services.ticket_create(customer=people["mari"].customer, subject="Invoice shows an old address",
                                    description="My invoice for May still shows our old street address.")
    services.ticket_assign(ticket=ticket, assignee=people["kati"], actor=people["kati"])
    services.message_add(ticket=ticket, body="Corrected; a new invoice is on its way.", author_user=people["kati"])
    services.ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), to_status="resolved", actor=people["kati"])
    survey = Survey.objects.get(ticket=ticket)
    print(json.dumps({"reference": ticket.reference, "survey_token": survey_token_for(survey)}))
""").replace("PASSWORD", repr(PASSWORD))


@dataclass
class ProductionDesk:
    root: Path
    env: dict
    port: int = 0
    steps: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    gunicorn: subprocess.Popen | None = None

    def run(self, command: str, **extra_env: str) -> subprocess.CompletedProcess:
        """A README command, run in the copy with the virtualenv's executables."""
        program, *args = command.split()
        executable = self.root / ".venv" / "bin" / program
        result = subprocess.run([str(executable), *args], cwd=self.root, env={**self.env, **extra_env},
                                capture_output=True, text=True, timeout=300)
        self.steps[command] = result
        return result

    def client(self) -> DeskClient:
        return DeskClient(f"http://127.0.0.1:{self.port}", host=HOST, https_proxy=True)

    def log(self) -> str:
        path = self.root / "gunicorn.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _must_succeed(result: subprocess.CompletedProcess, command: str) -> None:
    output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"`{command}` exited {result.returncode}:\n{output}"


@pytest.fixture(scope="module")
def production_desk(tmp_path_factory):
    reason = missing_tools()
    if reason:
        skip_or_fail(reason)
    root = fresh_copy(tmp_path_factory.mktemp("production-desk"))
    backing = Backing.like_this_run(root)
    if "DATABASE_URL" not in backing.env:  # no PostgreSQL in this run: a fresh SQLite file
        backing.env["DATABASE_URL"] = f"sqlite:///{root / 'production.sqlite3'}"
    env = base_environment(
        backing, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}", SITE_URL=f"https://{HOST}",
        EMAIL_URL=f"smtp://127.0.0.1:{free_port()}",  # no mail leaves during these page loads
    )
    desk = ProductionDesk(root=root, env=env)
    try:
        for command in INSTALL_STEPS:
            _must_succeed(desk.run(command), command)
        _must_succeed(desk.run(f"{CREATE_ADMIN} --no-input", DJANGO_SUPERUSER_USERNAME="admin",
                               DJANGO_SUPERUSER_EMAIL="admin@example.com", DJANGO_SUPERUSER_PASSWORD=PASSWORD),
                      CREATE_ADMIN)
        shell = subprocess.run([str(root / ".venv/bin/python"), "manage.py", "shell", "--no-imports", "-c",
                                PEOPLE_AND_A_RESOLVED_TICKET], cwd=root, env=env, capture_output=True, text=True,
                               timeout=120)
        _must_succeed(shell, "creating the team, people and a resolved ticket")
        desk.data = json.loads(shell.stdout.strip().splitlines()[-1])
        desk.port = free_port()
        program, *args = WEB_SERVER.replace("127.0.0.1:8000", f"127.0.0.1:{desk.port}").split()
        with (root / "gunicorn.log").open("wb") as log:
            desk.gunicorn = subprocess.Popen([str(root / ".venv" / "bin" / program), *args], cwd=root, env=env,
                                             stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: _answers(desk), timeout=120, what="gunicorn", log=desk.log)
        yield desk
    finally:
        if desk.gunicorn is not None:
            desk.gunicorn.send_signal(signal.SIGTERM)
            desk.gunicorn.wait(timeout=60)
        backing.close()


def _answers(desk: ProductionDesk) -> bool:
    if desk.gunicorn.poll() is not None:
        raise AssertionError(f"gunicorn exited with {desk.gunicorn.returncode}:\n{desk.log()[-3000:]}")
    try:
        return desk.client().get("/healthz").status == 200
    except OSError:
        return False


def _pages(desk: ProductionDesk) -> list[tuple[str | None, str]]:
    reference, token = desk.data["reference"], desk.data["survey_token"]
    return [
        (None, reverse("home")),
        (None, reverse("login")),
        (None, reverse("password_reset")),
        (None, reverse("tickets:support")),
        (None, reverse("tickets:fresh_link")),
        ("kati", reverse("tickets:list")),
        ("kati", reverse("tickets:detail", args=[reference])),
        (None, reverse("feedback:survey", args=[reference, token])),
        ("juhan", reverse("reports:dashboard")),
        ("admin", reverse("reports:dashboard")),
        ("mari", reverse("tickets:my_tickets")),
        ("kati", reverse("api-docs")),
    ]


def _client_for(desk: ProductionDesk, username: str | None, clients: dict) -> DeskClient:
    if username not in clients:
        client = desk.client()
        if username:
            client.log_in(username, PASSWORD)
        clients[username] = client
    return clients[username]


def test_readme_production_section_lists_the_steps_this_test_follows():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    for command in (*INSTALL_STEPS, CREATE_ADMIN, WEB_SERVER):
        assert f"`{command}`" in section, f"README's production section does not say `{command}`"
    for variable in ("DEBUG=0", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "DATABASE_URL",
                     "X-Forwarded-Proto"):
        assert variable in section


def test_every_page_answers_its_user_through_the_tls_proxy(production_desk):
    clients: dict = {}
    failures = []
    for username, path in _pages(production_desk):
        page = _client_for(production_desk, username, clients).get(path)
        if page.status != 200:
            failures.append(f"{path} as {username or 'anonymous'}: {page.status}")

    assert not failures, "\n".join(failures) + "\n" + production_desk.log()[-3000:]


def test_every_static_file_the_pages_use_is_served(production_desk):
    clients: dict = {}
    wanted: dict[str, str] = {}
    for username, path in _pages(production_desk):
        client = _client_for(production_desk, username, clients)
        page = client.get(path)
        for url in StaticReferences.of(page.text):
            wanted.setdefault(url, username)
    anonymous = production_desk.client()
    failures, stylesheets = [], []
    for url, username in sorted(wanted.items()):
        client = _client_for(production_desk, username, clients) if not url.startswith("/static/") else anonymous
        reply = client.get(url)
        if reply.status != 200:
            failures.append(f"{url}: {reply.status}")
        elif url.endswith(".css"):
            stylesheets.append((url, reply.text))
    for url, css in stylesheets:
        for reference in css_references(css):
            target = re.sub(r"[^/]*$", "", url) + reference if not reference.startswith("/") else reference
            if anonymous.get(target.split("#")[0].split("?")[0]).status != 200:
                failures.append(f"{reference} (in {url})")

    assert any(url.startswith("/static/") for url in wanted), "the pages reference no static file"
    assert not failures, "\n".join(failures)
