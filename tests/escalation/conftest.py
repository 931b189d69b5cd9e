import pytest

from tests.escalation import factories as esc


@pytest.fixture
def on_shift(team):
    """The team works around the clock, so routing does not depend on when the test runs."""
    return esc.always_open_calendar(team)


@pytest.fixture
def assigned_ticket(ticket, agent):
    from tickets import services

    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made with a password; the default hasher costs a second each on a shared CPU."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
