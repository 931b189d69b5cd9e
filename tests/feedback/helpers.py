"""Helpers and fixtures of the feedback tests (import the fixtures you use into the test module)."""

import socket
import time

import pytest
from django.core import signing
from django.utils import timezone

from feedback.models import Survey
from feedback.tokens import SURVEY_SALT
from tests import factories
from tickets import services as ticket_services
from tickets.models import Ticket


def resolve(ticket: Ticket, agent, *, assign: bool = True, skip_survey_reason: str = "") -> Ticket:
    """Assign (so the agent is credited) and resolve through the tickets services."""
    ticket.refresh_from_db()
    if assign and ticket.assignee_id != agent.pk:
        ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    return ticket_services.ticket_transition(
        ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent, no_follow_up_reason=skip_survey_reason
    )


def reopen(ticket: Ticket, actor=None) -> Ticket:
    ticket.refresh_from_db()
    return ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.OPEN, actor=actor)


def new_ticket(queue, customer=None, **kwargs) -> Ticket:
    return factories.TicketFactory(queue=queue, customer=customer or factories.CustomerFactory(), **kwargs)


def survey_of(ticket: Ticket) -> Survey:
    return Survey.objects.filter(ticket=ticket).select_related("delivery").order_by("-created_at", "-id").first()


def send_due(now=None) -> list[str]:
    """What the worker does, in-process: claim the outbox's due rows in batches and send them; one
    outcome per row, sorted."""
    from outbox import services as outbox

    outcomes = outbox.deliveries_send_due(now=now or timezone.now())
    return sorted(key for key, count in outcomes.items() if key != "batches" for _ in range(count))


def old_token(survey: Survey, *, days: int) -> str:
    """A real survey token signed `days` ago."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return PastSigner(salt=SURVEY_SALT).sign_object({"s": survey.pk, "t": survey.ticket_id}, compress=True)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkHandler:
    """An SMTP server that accepts (and keeps) every message, or refuses every one; it counts the
    connections (one EHLO/HELO per session)."""

    def __init__(self, refuse: bool = False):
        self.refuse = refuse
        self.messages: list[bytes] = []
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Message refused by this test server"
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def _smtp(settings, refuse: bool):
    from aiosmtpd.controller import Controller

    handler = SinkHandler(refuse=refuse)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return controller, handler


@pytest.fixture
def smtp_sink(settings):
    controller, handler = _smtp(settings, refuse=False)
    yield handler
    controller.stop()


@pytest.fixture
def smtp_refusing(settings):
    controller, handler = _smtp(settings, refuse=True)
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made with a password; the default hasher costs seconds per test on this machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The role groups come from a data migration; a transactional test's flush deletes them for the next."""
    names = request.fixturenames
    if "transactional_db" in names or "celery_worker" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def delay_zero(settings):
    settings.SURVEY_DELAY_SECONDS = 0


def survey_mails() -> list:
    """The survey emails in the test outbox (other apps send their own mail too)."""
    from django.core import mail

    return [m for m in mail.outbox if "X-Delightdesk-Survey" in m.extra_headers]
