"""The survey outbox: schedule a survey in the transaction that resolves the ticket, claim due rows,
send each once with a deterministic Message-ID, retry SMTP failures with backoff, expire old ones.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from feedback import emails
from feedback.models import Survey
from tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

ST = Survey.State
SR = Survey.SkipReason
LIVE_EXCLUDED = (ST.EXPIRED, ST.SKIPPED)  # states that allow a later survey for the same ticket
SURVEYED_STATES = (ST.SCHEDULED, ST.SENDING, ST.SENT, ST.ANSWERED)  # count for the throttle
# Tags an agent (or intake) puts on tickets that must never be surveyed.
NO_SURVEY_TAGS = {"spam": SR.SPAM, "merged": SR.MERGED, "duplicate": SR.DUPLICATE, "internal": SR.INTERNAL}


def max_attempts() -> int:
    return getattr(settings, "SURVEY_MAX_ATTEMPTS", 5)


def retry_base_seconds() -> int:
    return getattr(settings, "SURVEY_RETRY_BASE_SECONDS", 60)


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff after the n-th failed attempt: base, 2*base, 4*base, ... capped at a day."""
    return min(retry_base_seconds() * 2 ** max(attempts - 1, 0), 86400)


def _skip_reason_from_text(text: str) -> tuple[str, str]:
    """Map the free reason the agent gave to a SkipReason (and keep the words as the note)."""
    key = (text or "").strip().lower()
    for reason in (SR.SPAM, SR.DUPLICATE, SR.INTERNAL, SR.MERGED):
        if key == reason.value or key.startswith(reason.value):
            return reason.value, text[:500]
    return SR.AGENT.value, text[:500]


def _why_not_survey(ticket: Ticket, *, actor_id: int | None, skip_reason: str, now) -> tuple[str, str]:
    """("", "") if the ticket may be surveyed, else (SkipReason, note)."""
    if skip_reason:
        return _skip_reason_from_text(skip_reason)
    tag_names = set(ticket.tags.values_list("name", flat=True))
    for tag, reason in NO_SURVEY_TAGS.items():
        if tag in tag_names:
            return reason.value, ""
    if not ticket.customer.email:
        return SR.NO_EMAIL.value, ""
    if actor_id is None and not _has_staff_reply(ticket):
        return SR.AUTO_CLOSED.value, ""
    if settings.SURVEY_THROTTLE_DAYS > 0:
        since = now - timedelta(days=settings.SURVEY_THROTTLE_DAYS)
        recent = Survey.objects.filter(customer_id=ticket.customer_id, state__in=SURVEYED_STATES, created_at__gte=since)
        if recent.exclude(ticket_id=ticket.pk).exists():
            return SR.THROTTLED.value, ""
    return "", ""


def _has_staff_reply(ticket: Ticket) -> bool:
    return ticket.messages.filter(kind=Message.Kind.REPLY, author_user__isnull=False).exists()


def survey_schedule(*, ticket_id: int, actor_id: int | None = None, skip_reason: str = "", now=None) -> Survey | None:
    """Write the survey row for the resolution of `ticket_id` (scheduled, or skipped with the reason).

    Called inside the transaction that resolves the ticket (no savepoint of its own: the caller's
    savepoint contains any failure); idempotent for one resolution: a second call finds the row and
    returns it. Never a second live survey for one ticket (a constraint too). The Message-ID is set
    when the survey is sent (it derives from the id alone).
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
        if ticket is None or ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
            return None
        earlier = sorted(Survey.objects.filter(ticket_id=ticket.pk), key=lambda s: (s.created_at, s.pk))
        for survey in reversed(earlier):
            if ticket.resolved_at is None or survey.created_at >= ticket.resolved_at:
                return survey  # this resolution already has its survey
        for survey in earlier:
            if survey.state not in LIVE_EXCLUDED:
                return survey  # never twice for the same ticket
        reason, note = _why_not_survey(ticket, actor_id=actor_id, skip_reason=skip_reason, now=now)
        return Survey.objects.create(
            ticket=ticket,
            customer_id=ticket.customer_id,
            agent_id=ticket.assignee_id or actor_id,
            queue_id=ticket.queue_id,
            language=ticket.customer.language or ticket.language,
            state=ST.SKIPPED if reason else ST.SCHEDULED,
            skip_reason=reason,
            skip_note=note,
            due_at=now + timedelta(seconds=max(settings.SURVEY_DELAY_SECONDS, 0)),
            created_at=now,
        )


def survey_skip(*, ticket_id: int, reason: str) -> int:
    """The agent resolved without a survey: skip the pending survey of this ticket. Returns rows changed."""
    code, note = _skip_reason_from_text(reason)
    with transaction.atomic():
        ids = list(
            _lock_skip_locked(Survey.objects.filter(ticket_id=ticket_id, state__in=Survey.PENDING_STATES)).values_list(
                "pk", flat=True
            )
        )
        return Survey.objects.filter(pk__in=ids).update(state=ST.SKIPPED, skip_reason=code, skip_note=note)


def survey_cancel_for_reopen(*, ticket_id: int) -> int:
    """The ticket was reopened before its survey went out: that survey is skipped, not sent."""
    with transaction.atomic():
        ids = list(
            _lock_skip_locked(Survey.objects.filter(ticket_id=ticket_id, state__in=Survey.PENDING_STATES)).values_list(
                "pk", flat=True
            )
        )
        return Survey.objects.filter(pk__in=ids).update(state=ST.SKIPPED, skip_reason=SR.REOPENED, skip_note="")


def _lock_skip_locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


def survey_claim_due(*, limit: int = 500, now=None) -> list[int]:
    """Claim due, unsent surveys (SELECT ... FOR UPDATE SKIP LOCKED) and mark them `sending`.

    Also re-claims `sending` rows whose claim is older than the stale window: their task was lost
    (broker down at claim time). Sending stays idempotent: `survey_send` locks the row and checks
    its state, so a re-claimed row whose first task still runs is sent once.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=getattr(settings, "SURVEY_CLAIM_STALE_SECONDS", 300))
    due = Q(state=ST.SCHEDULED, due_at__lte=now) | Q(state=ST.SENDING, claimed_at__lt=stale)
    with transaction.atomic():
        ids = list(
            _lock_skip_locked(Survey.objects.filter(due).order_by("due_at", "id")).values_list("pk", flat=True)[:limit]
        )
        if ids:
            Survey.objects.filter(pk__in=ids).update(state=ST.SENDING, claimed_at=now)
    return ids


def survey_send(*, survey_id: int, now=None) -> str:
    """Send one survey email, once. Returns what happened: sent, retry, failed, skipped, or why nothing.

    The row is locked for the whole send (PostgreSQL: a duplicate delivery running at the same time
    skips it; one running later finds it `sent`). A worker killed mid-send releases the lock with its
    connection, and the late-acked task is redelivered.
    """
    now = now or timezone.now()
    with transaction.atomic():
        queryset = Survey.objects.select_related("ticket", "customer", "agent").filter(pk=survey_id)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        survey = queryset.first()
        if survey is None:
            if Survey.objects.filter(pk=survey_id).exists():
                return "locked"  # another worker is sending it right now
            logger.info("survey %s no longer exists", survey_id)
            return "missing"
        if survey.state not in Survey.PENDING_STATES:
            return f"already {survey.state}"
        if survey.due_at > now:
            return "not due"
        if survey.ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
            survey.state, survey.skip_reason = ST.SKIPPED, SR.REOPENED
            survey.save(update_fields=["state", "skip_reason"])
            return "skipped"
        if not survey.message_id:
            survey.message_id = emails.survey_message_id(survey)
        survey.attempts += 1
        try:
            emails.deliver(emails.build_survey_email(survey))
        except Exception as exc:
            survey.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if survey.attempts >= max_attempts():
                survey.state = ST.FAILED
                outcome = "failed"
                logger.error("survey %s failed after %s attempts: %s", survey.pk, survey.attempts, exc)
            else:
                survey.state = ST.SCHEDULED
                survey.due_at = now + timedelta(seconds=backoff_seconds(survey.attempts))
                outcome = "retry"
                logger.warning("survey %s attempt %s failed: %s", survey.pk, survey.attempts, exc)
            survey.save(update_fields=["state", "due_at", "attempts", "last_error", "message_id"])
            return outcome
        survey.state = ST.SENT
        survey.sent_at = now
        survey.last_error = ""
        survey.expires_at = now + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
        survey.save(update_fields=["state", "sent_at", "attempts", "last_error", "expires_at", "message_id"])
        return "sent"


def survey_retry_failed(*, survey_id: int) -> bool:
    """Staff put a failed survey back in the outbox (after fixing the mail server)."""
    updated = Survey.objects.filter(pk=survey_id, state=ST.FAILED).update(
        state=ST.SCHEDULED, due_at=timezone.now(), attempts=0
    )
    return bool(updated)


def survey_expire_old(*, now=None) -> int:
    """Sent surveys past their expiry, unanswered, become `expired` (a re-resolve may survey again)."""
    now = now or timezone.now()
    return Survey.objects.filter(state=ST.SENT, expires_at__lt=now).update(state=ST.EXPIRED)
