import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Customer
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", tickets=40, no_progress=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _counts():
    return (get_user_model().objects.count(), Customer.objects.count(), Ticket.objects.count(), Message.objects.count())


def test_seed_demo_twice_does_not_double_the_data(seeded_demo, settings):
    first = _counts()
    _seed(settings)
    assert _counts() == first
    assert first[2] == seeded_demo.tickets == 40


def test_seed_demo_creates_the_documented_logins(seeded_demo, client):
    for username in ("admin", "supervisor", "agent", "customer"):
        assert client.login(username=username, password="demo"), username


def test_seed_demo_has_tickets_in_every_state(seeded_demo):
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", no_progress=True)
