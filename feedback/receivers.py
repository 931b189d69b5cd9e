"""How feedback listens to tickets.

Inside the resolving transaction (`tickets.events.ticket_status_changing`): the survey row is written
WITH the agent's skip reason, so a resolved ticket and its survey commit together or not at all (the
outbox) and a skipped survey is never, even for a moment, a scheduled one a worker could claim. A
reopen skips the pending survey in the reopening transaction. The agent's pulse request (a row of
ours) is written there too. Any error is contained in a savepoint and logged: a survey problem never
blocks a ticket's change.

After commit (`transaction.on_commit`, registered from the same receiver): only the side effect, a
kick to the workers when the survey is due at once (SURVEY_DELAY_SECONDS=0). Kicks are coalesced per
process (at most one every KICK_INTERVAL_SECONDS, the last one of a burst sent at the end of the
interval): one drain sends every due row, so a kick per resolve would be thousands of empty tasks.
The beat sweep catches anything a lost kick (broker down) left behind.
"""

import logging
import threading
import time

from django.db import transaction
from django.utils import timezone

from feedback import services, tasks
from helpdesk.celery import enqueue
from tickets import events as ticket_events
from tickets.models import Ticket

logger = logging.getLogger(__name__)

KICK_INTERVAL_SECONDS = 1.5
_kicks = {"last": 0.0, "timer": None}  # per process: the last kick sent, the trailing one waiting
_kicks_lock = threading.Lock()


def _kick_workers() -> None:
    """Ask the workers to drain the outbox: at once, or (if this process kicked less than
    KICK_INTERVAL_SECONDS ago) once more at the end of the interval, never dropped: a drain takes
    every row due when it starts, so the trailing kick covers every survey committed meanwhile."""
    with _kicks_lock:
        wait = _kicks["last"] + KICK_INTERVAL_SECONDS - time.monotonic()
        if wait > 0:
            if _kicks["timer"] is None:
                timer = threading.Timer(wait, _trailing_kick)
                timer.daemon = True
                _kicks["timer"] = timer
                timer.start()
            return
        _kicks["last"] = time.monotonic()
    enqueue(tasks.send_due_surveys)


def _trailing_kick() -> None:
    with _kicks_lock:
        _kicks["timer"] = None
        _kicks["last"] = time.monotonic()
    enqueue(tasks.send_due_surveys)


def on_ticket_status_changing(
    sender,
    ticket_id: int,
    actor_id: int | None = None,
    to_status: str = "",
    reopening: bool = False,
    skip_survey_reason: str = "",
    at=None,
    **kwargs,
) -> None:
    if not (to_status == Ticket.Status.RESOLVED or reopening):
        return
    try:
        with transaction.atomic():  # a savepoint: our failure must not roll back the ticket's change
            if reopening:
                services.survey_cancel_for_reopen(ticket_id=ticket_id)
                return
            survey = services.survey_schedule(
                ticket_id=ticket_id, actor_id=actor_id, skip_reason=skip_survey_reason, now=at
            )
            if skip_survey_reason and survey is not None and survey.state in survey.PENDING_STATES:
                services.survey_skip(ticket_id=ticket_id, reason=skip_survey_reason)  # an earlier pending one
                survey = None
            agent_id = survey.agent_id if survey is not None else actor_id
            if agent_id:
                services.pulse_ask(agent_id=agent_id, ticket_id=ticket_id, now=at)
    except Exception:
        logger.exception("feedback: survey bookkeeping failed for ticket %s", ticket_id)
        return
    if survey is not None and survey.state == survey.State.SCHEDULED and survey.due_at <= timezone.now():
        transaction.on_commit(_kick_workers)


def connect() -> None:
    ticket_events.ticket_status_changing.connect(on_ticket_status_changing, dispatch_uid="feedback.status_changing")
