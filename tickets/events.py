"""Signals the tickets app publishes.

Most are sent after the transaction commits (`publish`): receivers get `ticket_id` (and the named
extras) and must load what they need; the payload is what a Celery task would carry.

`ticket_statuses_changing` is the one exception, sent inside the changing transaction (`send_in_transaction`)
for receivers whose rows must commit or roll back with the ticket's change (feedback's outbox, escalation's
SLA outcome). It carries every ticket changed by one call (`changes`, one `StatusChange`
each: one ticket from `ticket_transition`, many from `tickets_transition`), so receivers write set-wise.
Such receivers must contain their own failures (a savepoint) so they never block the ticket's change.
`feedback` and `escalation` subscribe in their AppConfig.ready().
"""

import contextlib
import contextvars
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

ticket_created = Signal()  # ticket_id, actor_id
ticket_reopened = Signal()  # ticket_id, actor_id
ticket_closed = Signal()  # ticket_id, actor_id, automatic
ticket_assigned = Signal()  # ticket_id, actor_id, assignee_id, previous_assignee_id
ticket_changed = Signal()  # ticket_id, actor_id, fields: the names among priority, kind, queue that changed
message_added = Signal()  # ticket_id, message_id, is_public, from_customer
ticket_status_changed = Signal()  # ticket_id, actor_id, from_status, to_status, at: every transition
# Inside the transaction: changes (tuple of StatusChange), actor_id, at
ticket_statuses_changing = Signal()


@dataclass(frozen=True, slots=True)
class StatusChange:
    ticket_id: int
    from_status: str
    to_status: str
    reopening: bool = False  # resolved -> open
    # A resolution the agent asked not to be followed up with the customer, and why (tickets.follow_up).
    no_follow_up_reason: str = ""

    @property
    def no_follow_up(self) -> bool:
        return bool(self.no_follow_up_reason)


_muted = contextvars.ContextVar("tickets_events_muted", default=False)


def publish(signal: Signal, **payload) -> None:
    if _muted.get():
        return
    transaction.on_commit(lambda: signal.send(sender="tickets", **payload))


def send_in_transaction(signal: Signal, **payload) -> None:
    """Send now, inside the caller's transaction: for rows that must commit with the change."""
    if _muted.get():
        return
    signal.send(sender="tickets", **payload)


@contextlib.contextmanager
def muted():
    """Publish nothing inside this block: for loading history (demo data, imports), not live changes."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)
