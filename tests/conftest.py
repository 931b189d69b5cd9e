import pytest

from tests import factories
from tests.shipped.fixtures import _make_run_desk, shipped_desk  # noqa: F401 - the desk as `make run` starts it (tests/shipped)

DEMO_TICKETS = 40  # the `seeded_demo` fixture's size


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def queue(team):
    return factories.QueueFactory(team=team, is_default=True)


@pytest.fixture
def agent(team):
    return factories.agent_in(team)


@pytest.fixture
def supervisor(team):
    return factories.supervisor_of(team)


@pytest.fixture
def admin_user(db):
    return factories.user_with_role("admin")


@pytest.fixture
def customer_user(db):
    return factories.user_with_role("customer")


@pytest.fixture
def customer(customer_user):
    return customer_user.customer


@pytest.fixture
def ticket(queue, customer):
    return factories.TicketFactory(queue=queue, customer=customer)


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """The demo desk (`seed_demo`, 40 tickets), seeded once for a module inside a transaction that is rolled
    back after the module; each test runs in a savepoint within it (the `db` fixture), so what a test changes
    is undone and the next test finds the desk as seeded. Like a test's own transaction, it never commits:
    on_commit work does not run (tests/helpdesk/test_demo_desk.py commits, for what needs it).
    Gives the number of tickets and the emails the seeding sent (`.tickets`, `.mail`)."""
    from io import StringIO
    from types import SimpleNamespace

    from django.core import mail
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        sent_before = len(mail.outbox)
        try:
            with override_settings(DEBUG=True):
                call_command("seed_demo", tickets=DEMO_TICKETS, no_progress=True, stdout=StringIO())
            seeded = SimpleNamespace(tickets=DEMO_TICKETS, mail=list(mail.outbox[sent_before:]))
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    yield seeded
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)
