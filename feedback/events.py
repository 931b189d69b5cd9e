"""Signals the feedback app publishes, after commit. `escalation` subscribes."""

from django.db import transaction
from django.dispatch import Signal

low_rating = Signal()  # ticket_id, rating_id, stars, comment: a 1-2 star rating (service recovery, D6)


def publish(signal: Signal, **payload) -> None:
    transaction.on_commit(lambda: signal.send(sender="feedback", **payload))
