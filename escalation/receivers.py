"""What the escalation app does when tickets and feedback publish events.

All are sent after commit but one: `ticket_statuses_changing`, inside the transaction that changes
the tickets' status, where a resolution's SLA outcome (met or not) is written with the resolution
itself, set-wise for a many-ticket change, and no sweep can see a resolved ticket's alarms still armed.

A receiver never lets an error escape into the request that caused the event: it logs it, and the
beat task or the next event catches up.
"""

import functools
import logging

from django.db import transaction
from django.utils import timezone

from escalation import services
from tickets.models import Ticket

logger = logging.getLogger(__name__)


def _safe(func):
    @functools.wraps(func)
    def wrapper(sender, **payload):
        try:
            func(**payload)
        except Exception:
            logger.exception("escalation receiver %s failed for %s", func.__name__, payload)

    return wrapper


@_safe
def on_ticket_created(*, ticket_id, **_):
    services.sla_start(ticket_id=ticket_id)
    services.repeat_contact_on_create(ticket_id=ticket_id)


@_safe
def on_message_added(*, ticket_id, is_public=False, from_customer=False, **_):
    if is_public and not from_customer:
        services.sla_first_response(ticket_id=ticket_id)
    services.complaint_arm(ticket_id=ticket_id)


@_safe
def on_ticket_assigned(*, ticket_id, **_):
    services.complaint_arm(ticket_id=ticket_id)


@_safe
def on_ticket_changed(*, ticket_id, fields=(), **_):
    if "priority" in fields or "queue" in fields:
        services.sla_recompute(ticket_id=ticket_id)
    if "kind" in fields:
        services.complaint_arm(ticket_id=ticket_id)


def on_ticket_statuses_changing(sender, *, changes=(), at=None, **_):
    resolved = [change.ticket_id for change in changes if change.to_status == Ticket.Status.RESOLVED]
    if not resolved:
        return
    try:
        with transaction.atomic():  # a savepoint: an SLA problem must not roll back the resolution
            services.slas_resolved(ticket_ids=resolved, resolved_at=at or timezone.now())
    except Exception:
        logger.exception("escalation: SLA outcome failed for tickets %s", resolved)


@_safe
def on_ticket_reopened(*, ticket_id, **_):
    services.sla_reopened(ticket_id=ticket_id)
    services.repeat_contact_on_reopen(ticket_id=ticket_id)
    services.complaint_arm(ticket_id=ticket_id)


@_safe
def on_ticket_closed(*, ticket_id, **_):
    services.sla_closed(ticket_id=ticket_id)


@_safe
def on_ticket_status_changed(*, ticket_id, from_status=None, to_status=None, at=None, **_):
    """Every transition: the resolution and complaint clocks pause while the ticket is pending."""
    if to_status == Ticket.Status.PENDING and from_status != Ticket.Status.PENDING:
        services.sla_pause(ticket_id=ticket_id, at=at)
    elif from_status == Ticket.Status.PENDING and to_status != Ticket.Status.PENDING:
        services.sla_resume(ticket_id=ticket_id, at=at)


@_safe
def on_low_rating(*, ticket_id, rating_id=None, stars, comment="", follow_up="", **_):
    services.service_recovery(ticket_id=ticket_id, rating_id=rating_id, stars=stars, comment=comment,
                              follow_up=follow_up)


@_safe
def on_rating_changed(*, rating_id, **_):
    services.escalation_rating_update(rating_id=rating_id)


def connect() -> None:
    from feedback import events as feedback_events
    from tickets import events as ticket_events

    ticket_events.ticket_created.connect(on_ticket_created, dispatch_uid="escalation.ticket_created")
    ticket_events.message_added.connect(on_message_added, dispatch_uid="escalation.message_added")
    ticket_events.ticket_statuses_changing.connect(on_ticket_statuses_changing,
                                                   dispatch_uid="escalation.ticket_statuses_changing")
    ticket_events.ticket_reopened.connect(on_ticket_reopened, dispatch_uid="escalation.ticket_reopened")
    ticket_events.ticket_closed.connect(on_ticket_closed, dispatch_uid="escalation.ticket_closed")
    ticket_events.ticket_assigned.connect(on_ticket_assigned, dispatch_uid="escalation.ticket_assigned")
    ticket_events.ticket_changed.connect(on_ticket_changed, dispatch_uid="escalation.ticket_changed")
    ticket_events.ticket_status_changed.connect(on_ticket_status_changed,
                                                dispatch_uid="escalation.ticket_status_changed")
    feedback_events.low_rating.connect(on_low_rating, dispatch_uid="escalation.low_rating")
    feedback_events.rating_changed.connect(on_rating_changed, dispatch_uid="escalation.rating_changed")
