"""How feedback listens to tickets.

Inside the resolving transaction (`tickets.events.ticket_statuses_changing`, which carries every ticket
of one change, so the rows are written set-wise): the survey row is written WITH the agent's skip
reason (a resolution without a follow-up, `StatusChange.no_follow_up_reason`, is a skipped survey),
so a resolved ticket and its survey commit together or not at all (the outbox) and a skipped
survey is never, even for a moment, a scheduled one a worker could claim. A reopen skips the pending
survey in the reopening transaction. The agent's pulse request (a row of ours) is written there too.
Any error is contained in a savepoint and logged: a survey problem never blocks a ticket's change
(and in a many-ticket change, one bad ticket costs only its own survey: the others are retried one
by one).

The survey's email is a row of the outbox written with it; the outbox kicks a worker after commit
when it is due at once (SURVEY_DELAY_SECONDS=0), and beat's outbox sweep sends it otherwise.
"""

import logging

from django.db import transaction

from feedback import services
from tickets import events as ticket_events
from tickets.models import Ticket

logger = logging.getLogger(__name__)


def on_ticket_statuses_changing(
    sender,
    changes: tuple[ticket_events.StatusChange, ...] = (),
    actor_id: int | None = None,
    at=None,
    **kwargs,
) -> None:
    resolved = [change.ticket_id for change in changes if change.to_status == Ticket.Status.RESOLVED]
    reopened = [change.ticket_id for change in changes if change.reopening]
    if not (resolved or reopened):
        return
    # A resolution the agent asked not to follow up is, to feedback, a skipped survey for their reason.
    reasons = {change.no_follow_up_reason for change in changes if change.to_status == Ticket.Status.RESOLVED}
    if len(reasons) > 1:  # one reason per call (tickets_transition); else each ticket with its own
        for change in changes:
            on_ticket_statuses_changing(sender, changes=(change,), actor_id=actor_id, at=at)
        return
    skip_survey_reason = reasons.pop() if reasons else ""
    try:
        with transaction.atomic():  # a savepoint: our failure must not roll back the tickets' change
            _bookkeep(resolved, reopened, actor_id=actor_id, skip_survey_reason=skip_survey_reason, at=at)
    except Exception:
        if len(changes) == 1:
            logger.exception("feedback: survey bookkeeping failed for ticket %s", changes[0].ticket_id)
            return
        # One bad ticket must not cost the others their survey: again, one ticket at a time.
        for change in changes:
            on_ticket_statuses_changing(sender, changes=(change,), actor_id=actor_id, at=at)


def _bookkeep(resolved: list[int], reopened: list[int], *, actor_id, skip_survey_reason: str, at) -> list:
    """The survey rows and pulse requests of one status change (inside its transaction)."""
    if reopened:
        services.surveys_cancel_for_reopen(ticket_ids=reopened)
    if not resolved:
        return []
    surveys = services.surveys_schedule(ticket_ids=resolved, actor_id=actor_id, skip_reason=skip_survey_reason,
                                        now=at)
    if skip_survey_reason:  # an earlier survey still pending (resolved again before it went out)
        earlier = [survey.ticket_id for survey in surveys if survey.state in survey.PENDING_STATES]
        if earlier:
            services.surveys_skip(ticket_ids=earlier, reason=skip_survey_reason)
            surveys = [survey for survey in surveys if survey.ticket_id not in earlier]
    credited = {survey.ticket_id: survey.agent_id for survey in surveys}
    requests = [(credited.get(ticket_id) or actor_id, ticket_id) for ticket_id in resolved]
    services.pulses_ask(requests=[(agent_id, ticket_id) for agent_id, ticket_id in requests if agent_id], now=at)
    return surveys


def connect() -> None:
    ticket_events.ticket_statuses_changing.connect(
        on_ticket_statuses_changing, dispatch_uid="feedback.statuses_changing"
    )
