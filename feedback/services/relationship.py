"""Relationship survey (D3): a periodic NPS survey of active customers, not tied to a ticket."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Customer
from feedback import emails
from feedback.exceptions import InvalidScore, SurveyClosed, SurveyLinkExpired
from feedback.models import NpsResponse, RelationshipSurvey

logger = logging.getLogger(__name__)
RS = RelationshipSurvey.State


def surveys_per_year() -> int:
    return max(int(getattr(settings, "RELATIONSHIP_SURVEYS_PER_YEAR", 2)), 1)


def relationship_survey_schedule_due(*, now=None, limit: int = 1000) -> list[int]:
    """Create a relationship survey for each active customer not asked in the last year / N.

    Active = opened a ticket in the last year and has an email address. Returns the ids to send.
    """
    now = now or timezone.now()
    interval = timedelta(days=365 // surveys_per_year())
    recently_asked = RelationshipSurvey.objects.filter(created_at__gte=now - interval).values("customer_id")
    customers = (
        Customer.objects.filter(tickets__created_at__gte=now - timedelta(days=365))
        .exclude(email="")
        .exclude(pk__in=recently_asked)
        .distinct()
        .values_list("pk", "language")[:limit]
    )
    rows = [
        RelationshipSurvey(customer_id=pk, language=language or "en", due_at=now, created_at=now)
        for pk, language in customers
    ]
    with transaction.atomic():
        RelationshipSurvey.objects.bulk_create(rows)
    # The new rows and any earlier one still waiting (a failed attempt is retried the next day).
    return list(RelationshipSurvey.objects.filter(state=RS.SCHEDULED).values_list("pk", flat=True)[:limit])


def relationship_survey_send(*, survey_id: int, now=None) -> str:
    now = now or timezone.now()
    with transaction.atomic():
        queryset = RelationshipSurvey.objects.select_related("customer").filter(pk=survey_id)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        survey = queryset.first()
        if survey is None:
            return "missing or locked"
        if survey.state != RS.SCHEDULED:
            return f"already {survey.state}"
        survey.attempts += 1
        survey.message_id = emails.relationship_message_id(survey)
        try:
            emails.deliver(emails.build_relationship_email(survey))
        except Exception as exc:
            survey.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if survey.attempts >= getattr(settings, "SURVEY_MAX_ATTEMPTS", 5):
                survey.state = RS.FAILED
            survey.save(update_fields=["state", "attempts", "last_error", "message_id"])
            return "failed" if survey.state == RS.FAILED else "retry"
        survey.state, survey.sent_at = RS.SENT, now
        survey.expires_at = now + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
        survey.save(update_fields=["state", "sent_at", "attempts", "last_error", "message_id", "expires_at"])
        return "sent"


def nps_submit(*, survey_id: int, score, if_unavailable: str = "", one_thing: str = "", now=None) -> NpsResponse:
    """Record (or change) the customer's answer to a relationship survey."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise InvalidScore(low=0, high=10) from None
    if not 0 <= score <= 10:
        raise InvalidScore(low=0, high=10)
    now = now or timezone.now()
    with transaction.atomic():
        survey = RelationshipSurvey.objects.select_related("customer").filter(pk=survey_id).first()
        if survey is None or survey.state == RS.FAILED:
            raise SurveyClosed()
        if survey.state == RS.EXPIRED or (survey.expires_at and survey.expires_at < now):
            raise SurveyLinkExpired()
        response, _created = NpsResponse.objects.update_or_create(
            survey=survey,
            defaults={
                "customer_id": survey.customer_id,
                "company": survey.customer.company,
                "score": score,
                "if_unavailable": (if_unavailable or "").strip()[:5000],
                "one_thing": (one_thing or "").strip()[:5000],
                "answered_at": now,
            },
        )
        RelationshipSurvey.objects.filter(pk=survey.pk).update(state=RS.ANSWERED)
    return response
