"""Event-driven triggers: repeat contact and service recovery (the time-based ones are in sla.py)."""

import logging
from datetime import timedelta

from django.db import transaction

from escalation.models import Escalation, EscalationEvent, Trigger
from escalation.services.escalations import escalation_raise
from escalation.services.rules import rule_for, rule_is_active
from helpdesk.phrases import join, phrase
from tickets import services as ticket_services
from tickets.exceptions import InvalidAssignee, StaleTicket
from tickets.models import Ticket

logger = logging.getLogger(__name__)


def _load(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related("queue__team", "queue__manager", "customer").filter(pk=ticket_id).first()


def repeat_contact_on_reopen(*, ticket_id: int) -> Escalation | None:
    """A ticket reopened N times escalates, once per ticket."""
    ticket = _load(ticket_id)
    if ticket is None:
        return None
    rule = rule_for(queue_id=ticket.queue_id, trigger=Trigger.REPEAT_CONTACT)
    if not rule_is_active(rule) or ticket.reopen_count < rule.param("reopen_count"):
        return None
    if _already_fired(ticket_ids=[ticket.pk]):
        return None
    escalation, _created = escalation_raise(
        ticket=ticket, trigger=Trigger.REPEAT_CONTACT,
        reason_phrase=phrase("escalation.reason.reopened", n=ticket.reopen_count),
    )
    return escalation


def repeat_contact_on_create(*, ticket_id: int) -> Escalation | None:
    """A customer with M tickets in D days escalates the latest, once per window."""
    ticket = _load(ticket_id)
    if ticket is None:
        return None
    rule = rule_for(queue_id=ticket.queue_id, trigger=Trigger.REPEAT_CONTACT)
    if not rule_is_active(rule):
        return None
    since = ticket.created_at - timedelta(days=float(rule.param("window_days")))
    recent = list(Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since,
                                        created_at__lte=ticket.created_at).values_list("pk", flat=True))
    if len(recent) < rule.param("ticket_count"):
        return None
    if _already_fired(ticket_ids=recent):
        return None
    escalation, _created = escalation_raise(
        ticket=ticket, trigger=Trigger.REPEAT_CONTACT,
        reason_phrase=phrase("escalation.reason.repeat_tickets", customer=ticket.customer.name, n=len(recent),
                             days=rule.param("window_days")),
    )
    return escalation


def _already_fired(*, ticket_ids) -> bool:
    """Repeat contact fired on one of these tickets before: an escalation raised for it, or one it joined
    (its history keeps the firing even when a low rating made the escalation rank as service recovery)."""
    return (
        Escalation.objects.filter(ticket_id__in=ticket_ids, trigger=Trigger.REPEAT_CONTACT).exists()
        or EscalationEvent.objects.filter(escalation__ticket_id__in=ticket_ids,
                                          trigger=Trigger.REPEAT_CONTACT).exists()
    )


def service_recovery(*, ticket_id: int, rating_id: int | None, stars: int, comment: str = "",
                     follow_up: str = "") -> Escalation | None:
    """A 1-2 star rating: reopen the ticket to a supervisor with the rating (and the customer's answer to
    "Where did we go wrong?"), to contact the customer at once. On a ticket already escalated for another
    reason, that escalation takes service recovery's urgency (`escalation_raise`). A rating that drops to 1-2
    again after its escalation was closed raises a new one; later changes of the rating reach the escalation
    through `escalation_rating_update`."""
    ticket = _load(ticket_id)
    if ticket is None:
        logger.info("low rating for ticket %s that no longer exists", ticket_id)
        return None
    rule = rule_for(queue_id=ticket.queue_id, trigger=Trigger.SERVICE_RECOVERY)
    if not rule_is_active(rule) or stars > rule.param("max_stars"):
        return None
    if rating_id is not None and Escalation.objects.filter(rating_id=rating_id,
                                                           state__in=Escalation.OPEN_STATES).exists():
        return None  # the same rating delivered twice, or dropped again while escalated (`rating_changed`)
    reopened = phrase("escalation.reopened_for_recovery", stars=stars)
    with transaction.atomic():
        if ticket.status == Ticket.Status.RESOLVED:
            try:
                ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.OPEN, actor=None,
                                                  reason_phrase=reopened)
            except StaleTicket:
                ticket.refresh_from_db()
                if ticket.status == Ticket.Status.RESOLVED:
                    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.OPEN, actor=None,
                                                      reason_phrase=reopened)
        reason = join(phrase("escalation.reason.low_rating", stars=stars),
                      phrase("escalation.reason.closed_cannot_reopen") if ticket.status == Ticket.Status.CLOSED else "")
        escalation, _created = escalation_raise(
            ticket=ticket, trigger=Trigger.SERVICE_RECOVERY, reason_code=Escalation.Reason.UPSET_CUSTOMER,
            reason_phrase=reason, rating={"stars": stars, "comment": comment or "", "follow_up": follow_up or "",
                    "rating_id": rating_id},
        )
        if escalation is not None and escalation.assigned_to_id and ticket.status != Ticket.Status.CLOSED:
            ticket.refresh_from_db()
            try:
                with transaction.atomic():
                    ticket_services.ticket_assign(ticket=ticket, assignee=escalation.assigned_to, actor=None)
            except InvalidAssignee:
                pass  # a manager or admin outside the team: the escalation is theirs, the ticket keeps its agent
    return escalation
