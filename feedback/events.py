"""Signals the feedback app publishes, after commit. `escalation` subscribes."""

from django.db import transaction
from django.dispatch import Signal

# ticket_id, rating_id, stars, comment, follow_up (the answer to "Where did we go wrong?"): a 1-2 star
# rating (service recovery, D6)
low_rating = Signal()


def publish(signal: Signal, **payload) -> None:
    transaction.on_commit(lambda: signal.send(sender="feedback", **payload))
