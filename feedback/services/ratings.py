"""Ratings: record, change (every change kept), publish service recovery, offer wow stories."""

from django.db import connection, transaction
from django.utils import timezone

from feedback import events, rollup
from feedback.exceptions import InvalidStars, SurveyClosed, SurveyLinkExpired
from feedback.models import Rating, RatingChange, Survey, WowStory
from feedback.services.survey_lifecycle import survey_mark_answered
from tickets.models import Ticket

ST = Survey.State
RATABLE_STATES = (ST.SCHEDULED, ST.SENT, ST.ANSWERED, ST.FAILED)
LOW_STARS = 2  # 1-2 stars: service recovery (D6)


def rating_submit(*, survey_id: int, stars, comment: str = "", follow_up: str = "", now=None) -> Rating:
    """Record the customer's rating of a survey, or change it. Every value is kept in RatingChange.

    A 1-2 star rating publishes `low_rating` (after commit) when the rating first drops to 1-2; every
    change of an existing rating (stars or words) publishes `rating_changed` (after commit), so that the
    escalation a low rating raised learns the customer's answer typed after the one tap. A 5-star rating
    with a comment is offered to the agent's team as a wow story.
    """
    stars = _valid_stars(stars)
    comment = (comment or "").strip()[:5000]
    follow_up = (follow_up or "").strip()[:5000]
    now = now or timezone.now()
    with transaction.atomic():
        survey = _ratable_survey(survey_id, now)
        rating = Rating.objects.filter(survey=survey).first()
        previous_stars = rating.stars if rating else None
        rating, changed = _rating_saved(survey, rating, stars=stars, comment=comment, follow_up=follow_up, now=now)
        if changed:
            RatingChange.objects.create(
                rating=rating, stars=stars, comment=comment, follow_up=follow_up, changed_at=now
            )
        first_answer = survey.state != ST.ANSWERED
        rollup.rating_recorded(
            rating=rating, previous_stars=previous_stars, survey=survey, first_answer=first_answer
        )
        if first_answer:
            survey_mark_answered(survey=survey, at=now)
        _offer_wow(rating, now=now)
        if stars <= LOW_STARS and (previous_stars is None or previous_stars > LOW_STARS):
            events.publish(
                events.low_rating, ticket_id=rating.ticket_id, rating_id=rating.pk, stars=stars, comment=comment,
                follow_up=follow_up,
            )
        if changed and previous_stars is not None:
            events.publish(events.rating_changed, ticket_id=rating.ticket_id, rating_id=rating.pk, stars=stars,
                           previous_stars=previous_stars)
    return rating


def _valid_stars(stars) -> int:
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise InvalidStars() from None
    if not 1 <= stars <= 5:
        raise InvalidStars()
    return stars


def _ratable_survey(survey_id: int, now) -> Survey:
    """The survey, locked, if it may still be answered (SurveyClosed, SurveyLinkExpired otherwise)."""
    queryset = Survey.objects.select_related("ticket__queue", "customer").filter(pk=survey_id)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update(of=("self",))
    survey = queryset.first()
    if survey is None:
        raise SurveyClosed()
    if survey.state == ST.EXPIRED or (survey.expires_at and survey.expires_at < now):
        raise SurveyLinkExpired()
    if survey.state not in RATABLE_STATES:
        raise SurveyClosed()
    return survey


def _rating_saved(survey: Survey, rating: Rating | None, *, stars: int, comment: str, follow_up: str,
                  now) -> tuple[Rating, bool]:
    """The survey's one rating, created or changed; and whether anything changed."""
    if rating is None:
        ticket = survey.ticket
        rating = Rating.objects.create(
            survey=survey, ticket=ticket, customer_id=survey.customer_id, agent_id=survey.agent_id,
            queue_id=ticket.queue_id, team_id=ticket.queue.team_id, ticket_kind=ticket.kind,
            company=survey.customer.company, stars=stars, comment=comment, follow_up=follow_up,
            created_at=now, updated_at=now,
        )
        return rating, True
    changed = (rating.stars, rating.comment, rating.follow_up) != (stars, comment, follow_up)
    if changed:
        rating.stars, rating.comment, rating.follow_up, rating.updated_at = stars, comment, follow_up, now
        rating.save(update_fields=["stars", "comment", "follow_up", "updated_at"])
    return rating, changed


def _offer_wow(rating: Rating, *, now) -> None:
    if rating.stars == 5 and rating.comment:
        WowStory.objects.update_or_create(
            rating=rating,
            defaults={"team_id": rating.team_id, "agent_id": rating.agent_id, "text": rating.comment},
            create_defaults={
                "team_id": rating.team_id,
                "agent_id": rating.agent_id,
                "text": rating.comment,
                "shared_at": now,
            },
        )
    else:
        WowStory.objects.filter(rating=rating).delete()


def survey_for_follow_page(*, ticket: Ticket) -> Survey | None:
    """The survey a customer may answer from the ticket's follow page (the live one), if any."""
    return (
        Survey.objects.filter(ticket=ticket, state__in=RATABLE_STATES)
        .select_related("rating")
        .order_by("-created_at", "-id")
        .first()
    )
