"""How feedback listens to tickets.

Inside the resolving transaction (post_save of the ticket's audit row, TicketEvent): the survey row
is written, so a resolved ticket and its survey commit together or not at all (the outbox). Any
error here is contained in a savepoint and logged: a survey problem never blocks resolving a ticket.

After commit (tickets.events): the agent's skip reason, the agent pulse, and the send task.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from feedback import services, tasks
from helpdesk.celery import enqueue_on_commit
from tickets import events as ticket_events
from tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)
_local = threading.local()  # surveys written in the resolving transaction, handed to the after-commit step


def _written() -> dict:
    if not hasattr(_local, "surveys"):
        _local.surveys = {}
    elif len(_local.surveys) > 1000:  # entries of rolled-back transactions are never popped
        _local.surveys.clear()
    return _local.surveys


def _events_muted() -> bool:
    # Demo data and imports load history with tickets.events.muted(): no surveys for those.
    return ticket_events.is_muted()


def on_ticket_event_saved(sender, instance: TicketEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or _events_muted():
        return
    resolved = instance.kind == TicketEvent.Kind.STATUS and instance.to_value == Ticket.Status.RESOLVED
    reopened = instance.kind == TicketEvent.Kind.REOPENED
    if not (resolved or reopened):
        return
    try:
        with transaction.atomic():  # a savepoint: our failure must not roll back the ticket's change
            if resolved:
                survey = services.survey_schedule(ticket_id=instance.ticket_id, actor_id=instance.actor_id)
                if survey is not None:
                    _written()[instance.ticket_id] = survey
            else:
                services.survey_cancel_for_reopen(ticket_id=instance.ticket_id)
    except Exception:
        logger.exception("feedback: survey bookkeeping failed for ticket %s (after-commit retry)", instance.ticket_id)


def on_ticket_resolved(sender, ticket_id: int, actor_id=None, skip_survey_reason: str = "", **kwargs) -> None:
    try:
        if skip_survey_reason:
            services.survey_skip(ticket_id=ticket_id, reason=skip_survey_reason)
        survey = _written().pop(ticket_id, None)
        if survey is None or skip_survey_reason:
            # Normally written in the resolving transaction already; this is the safety net.
            survey = services.survey_schedule(ticket_id=ticket_id, actor_id=actor_id, skip_reason=skip_survey_reason)
        if survey is not None and survey.state == survey.State.SCHEDULED and survey.due_at <= timezone.now():
            enqueue_on_commit(tasks.send_survey, survey.pk)  # runs now outside a transaction
        if survey is not None:
            agent_id = survey.agent_id
        else:
            agent_id = Ticket.objects.filter(pk=ticket_id).values_list("assignee_id", flat=True).first()
        if agent_id:
            services.pulse_ask(agent_id=agent_id, ticket_id=ticket_id)
    except Exception:
        logger.exception("feedback: handling ticket_resolved failed for ticket %s", ticket_id)


def connect() -> None:
    post_save.connect(on_ticket_event_saved, sender=TicketEvent, dispatch_uid="feedback.ticket_event_saved")
    ticket_events.ticket_resolved.connect(on_ticket_resolved, dispatch_uid="feedback.ticket_resolved")
