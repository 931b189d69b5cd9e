import pytest

from tests import factories
from tests.shipped.fixtures import shipped_desk  # noqa: F401 - the desk as `make run` starts it (tests/shipped)


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
