"""Signals the feedback app publishes, after commit. `escalation` subscribes."""

from django.db import transaction
from django.dispatch import Signal

# ticket_id, rating_id, stars, comment, follow_up (the answer to "Where did we go wrong?"): a 1-2 star
# rating (service recovery, D6)
low_rating = Signal()
# ticket_id, rating_id, stars, previous_stars: an existing rating changed (its stars, its answer to the
# follow-up question or its comment). With one-tap rating the stars come first and the customer's words a
# moment later, as a change: whoever acted on `low_rating` learns them here. Receivers load the rating's
# current values (two quick changes may be delivered in either order).
rating_changed = Signal()


def publish(signal: Signal, **payload) -> None:
    transaction.on_commit(lambda: signal.send(sender="feedback", **payload))
