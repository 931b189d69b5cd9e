"""Every signal an app publishes has a receiver: a signal nobody hears is a promise nobody keeps, and each
`publish` of it costs an on-commit callback per change for nothing."""

import pytest
from django.dispatch import Signal

from feedback import events as feedback_events
from tickets import events as ticket_events


@pytest.mark.parametrize(("module", "sender"), [(ticket_events, "tickets"), (feedback_events, "feedback")])
def test_every_published_signal_has_a_receiver(module, sender):
    signals = {name: value for name, value in vars(module).items() if isinstance(value, Signal)}
    assert signals
    assert [name for name, signal in signals.items() if not signal.has_listeners(sender=sender)] == []
