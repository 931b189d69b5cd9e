"""Relationship survey (D3): a periodic NPS survey of active customers, not tied to a ticket."""

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from feedback.exceptions import InvalidScore, SurveyClosed, SurveyLinkExpired
from feedback.models import NpsResponse, RelationshipSurvey
from outbox import services as outbox

logger = logging.getLogger(__name__)
RS = RelationshipSurvey.State


def surveys_per_year() -> int:
    return max(int(getattr(settings, "RELATIONSHIP_SURVEYS_PER_YEAR", 2)), 1)


def relationship_survey_schedule_due(*, now=None, limit: int = 1000) -> list[int]:
    """Create a relationship survey, and its email in the outbox, for each active customer not asked in
    the last year / N. Active = opened a ticket in the last year and has an email address. Returns the
    new surveys' ids (the outbox sends them; a failed one is retried there, and stays visible)."""
    now = now or timezone.now()
    interval = timedelta(days=365 // surveys_per_year())
    recently_asked = RelationshipSurvey.objects.filter(created_at__gte=now - interval).values("customer_id")
    customers = (
        Customer.objects.filter(tickets__created_at__gte=now - timedelta(days=365))
        .exclude(email="")
        .exclude(pk__in=recently_asked)
        .distinct()
        .values_list("pk", "language", "email")[:limit]
    )
    with transaction.atomic():
        rows = list(customers)
        deliveries = outbox.deliveries_create([
            outbox.delivery_new(kind="relationship_survey", recipient=email, language=language or "en", now=now)
            for _pk, language, email in rows
        ])
        surveys = RelationshipSurvey.objects.bulk_create([
            RelationshipSurvey(customer_id=pk, language=language or "en", created_at=now, delivery=delivery)
            for (pk, language, _email), delivery in zip(rows, deliveries, strict=True)
        ])
    return [survey.pk for survey in surveys]


def relationship_surveys_mark(*, delivery_ids: Sequence[int], state: str, at=None) -> int:
    """The outbox's news about relationship surveys' emails: sent (with the link's expiry), failed, or
    put back by staff (scheduled). Only a scheduled survey is sent or failed; only a failed one put back."""
    surveys = RelationshipSurvey.objects.filter(delivery_id__in=list(delivery_ids))
    if state == RS.SCHEDULED:
        return surveys.filter(state=RS.FAILED).update(state=RS.SCHEDULED)
    if state == RS.SENT:
        expires = at + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
        return surveys.filter(state=RS.SCHEDULED).update(state=RS.SENT, sent_at=at, expires_at=expires)
    return surveys.filter(state=RS.SCHEDULED).update(state=state)


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
