"""The survey life cycle: one table of allowed transitions, one function that applies it.

Every writer of `Survey.state` goes through `surveys_transition`: scheduling's skips, a reopen, the
outbox telling that the email went out, failed or was put back, the customer's answer, expiry. It is
set-wise (a resolve of 50 tickets is one UPDATE) and conditional: the UPDATE's WHERE names the states
the table allows to move to the target, so a row that moved meanwhile (answered while its email was
being sent, skipped by a reopen) is left alone rather than overwritten.

    scheduled -> sent, skipped, failed, answered (rated from the follow page before the email)
    failed    -> scheduled (staff sent it again), answered
    sent      -> answered, expired
    answered, expired, skipped: final (a new resolution may create a new survey)

How the email goes out (due time, claims, attempts, errors, Message-ID) is the survey's delivery's
business (`outbox`), not a survey state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from feedback import rollup
from feedback.models import Survey
from outbox import services as outbox

ST = Survey.State
SR = Survey.SkipReason

TRANSITIONS: dict[str, frozenset[str]] = {
    ST.SCHEDULED: frozenset({ST.SENT, ST.SKIPPED, ST.FAILED, ST.ANSWERED}),
    ST.FAILED: frozenset({ST.SCHEDULED, ST.ANSWERED}),
    ST.SENT: frozenset({ST.ANSWERED, ST.EXPIRED}),
    ST.ANSWERED: frozenset(),
    ST.EXPIRED: frozenset(),
    ST.SKIPPED: frozenset(),
}
INITIAL_STATES = frozenset({ST.SCHEDULED, ST.SKIPPED})  # what scheduling writes


def sources_of(to_state: str) -> list[str]:
    """The states from which a survey may move to `to_state`."""
    return [state for state, targets in TRANSITIONS.items() if to_state in targets]


def surveys_transition(queryset: QuerySet, to_state: str, **fields) -> int:
    """Move the surveys of `queryset` that may go to `to_state` (per TRANSITIONS) there, with `fields`,
    in one UPDATE. Returns how many moved; the others are left as they are."""
    return queryset.filter(state__in=sources_of(to_state)).update(state=to_state, **fields)


# --- The outbox's news (called by feedback.emails.SurveyKind, in the outbox's closing transaction) ---


def surveys_mark_sent(*, delivery_ids: Sequence[int], at: datetime) -> list[int]:
    """The emails went out: `sent`, with the link's expiry, and counted in the reports' rollup. A survey
    answered from the follow page while its email was on the way stays answered (and is counted sent).
    Returns the surveys' ids."""
    rows = list(Survey.objects.filter(delivery_id__in=list(delivery_ids), sent_at__isnull=True)
                .values_list("pk", "state"))
    ids = [pk for pk, state in rows if state in (ST.SCHEDULED, ST.ANSWERED)]
    if not ids:
        return []
    expires = at + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
    surveys_transition(Survey.objects.filter(pk__in=ids), ST.SENT, sent_at=at, expires_at=expires)
    if any(state == ST.ANSWERED for _pk, state in rows):
        Survey.objects.filter(pk__in=ids, state=ST.ANSWERED).update(sent_at=at, expires_at=expires)
    rollup.surveys_sent(survey_ids=ids, sent_at=at)
    return ids


def surveys_mark_reopened(*, delivery_ids: Sequence[int]) -> int:
    """The ticket was found reopened when its email was about to be built: not sent, skipped."""
    if not delivery_ids:
        return 0
    return surveys_transition(Survey.objects.filter(delivery_id__in=list(delivery_ids)), ST.SKIPPED,
                              skip_reason=SR.REOPENED, skip_note="")


def surveys_mark_failed(*, delivery_ids: Sequence[int]) -> int:
    return surveys_transition(Survey.objects.filter(delivery_id__in=list(delivery_ids)), ST.FAILED)


def surveys_mark_retried(*, delivery_ids: Sequence[int]) -> int:
    return surveys_transition(Survey.objects.filter(delivery_id__in=list(delivery_ids)), ST.SCHEDULED)


# --- Staff, customers and housekeeping ------------------------------------------------------------


def survey_mark_answered(*, survey: Survey, at: datetime) -> bool:
    """The customer's first answer (`feedback.services.ratings`, inside the rating's transaction). An
    email not sent yet is then cancelled by the outbox when it comes to build it (so that the rating
    never waits for a worker's lock on the delivery)."""
    moved = surveys_transition(Survey.objects.filter(pk=survey.pk), ST.ANSWERED, answered_at=at)
    if moved:
        survey.state, survey.answered_at = ST.ANSWERED, at
    return bool(moved)


def survey_retry_failed(*, survey_id: int) -> bool:
    """Staff put a failed survey back in the outbox (after fixing the mail server)."""
    delivery_id = Survey.objects.filter(pk=survey_id, state=ST.FAILED).values_list("delivery_id", flat=True).first()
    if delivery_id is None:
        return False
    return bool(outbox.deliveries_retry(delivery_ids=[delivery_id]))  # the survey's kind moves it back


def survey_expire_old(*, now=None) -> int:
    """Sent surveys past their expiry, unanswered, become `expired` (a re-resolve may survey again)."""
    now = now or timezone.now()
    return surveys_transition(Survey.objects.filter(state=ST.SENT, expires_at__lt=now), ST.EXPIRED)
