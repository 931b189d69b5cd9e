"""Signals the accounts app publishes, after the transaction commits (receivers get ids and load the rest).

`accounts` knows nothing of the apps above it; they subscribe in their AppConfig.ready() (tickets rebuilds
the search documents of a renamed customer's tickets).
"""

from django.db import transaction
from django.dispatch import Signal

customer_renamed = Signal()  # customer_id: the name or email changed


def publish(signal: Signal, **payload) -> None:
    transaction.on_commit(lambda: signal.send(sender="accounts", **payload))
