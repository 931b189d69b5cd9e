import pytest

from tests.escalation import factories as esc


@pytest.fixture
def on_shift(team):
    """The team works around the clock, so routing does not depend on when the test runs."""
    return esc.always_open_calendar(team)
