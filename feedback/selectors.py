"""Reads of the feedback app: permission-checked fetches, lists and small aggregates (in SQL)."""

from django.db.models import QuerySet

from accounts.roles import Role, role_of
from accounts.selectors import team_ids_of
from feedback.exceptions import InvalidSurveyLink
from feedback.models import AgentPulse, Rating, Survey, WowStory
from feedback.tokens import relationship_token_payload, survey_token_payload
from tickets.selectors import visible_to


def survey_from_link(*, reference: str, token: str) -> Survey:
    """The survey a link names. The token must be valid, unexpired and bound to this very ticket."""
    data = survey_token_payload(token)
    survey = (
        Survey.objects.select_related("ticket", "customer", "agent")
        .filter(pk=data["s"], ticket_id=data["t"], ticket__reference__iexact=reference)
        .first()
    )
    if survey is None:
        raise InvalidSurveyLink()
    return survey


def relationship_survey_from_link(*, token: str):
    from feedback.models import RelationshipSurvey

    data = relationship_token_payload(token)
    survey = RelationshipSurvey.objects.select_related("customer").filter(pk=data["r"], customer_id=data["c"]).first()
    if survey is None:
        raise InvalidSurveyLink()
    return survey


def rating_of(survey: Survey) -> Rating | None:
    return Rating.objects.filter(survey=survey).first()


def rating_current(*, rating_id: int) -> Rating | None:
    """A rating's current stars and words (for those who follow `rating_changed`), or None if it is gone."""
    return Rating.objects.filter(pk=rating_id).only("id", "ticket_id", "stars", "comment", "follow_up").first()


def survey_for_ticket_of_user(*, user, reference: str) -> Survey | None:
    """The latest survey of a ticket the user may see (Http404 for a ticket they may not see)."""
    from tickets.selectors import ticket_get_for_user

    ticket = ticket_get_for_user(user=user, reference=reference)
    return (
        Survey.objects.filter(ticket=ticket)
        .select_related("ticket", "agent", "rating", "delivery")
        .order_by("-created_at", "-id")
        .first()
    )


def ratings_visible_to(user) -> QuerySet[Rating]:
    """Ratings of the tickets the staff member may see (admins all; agents and supervisors their teams)."""
    role = role_of(user)
    ratings = Rating.objects.select_related("ticket", "agent", "queue", "customer")
    if role == Role.ADMIN:
        return ratings
    if role in (Role.AGENT, Role.SUPERVISOR):
        return ratings.filter(ticket__in=visible_to(user))
    return ratings.none()


def pulses_of(agent) -> QuerySet[AgentPulse]:
    """An agent's own pulses. Nobody else ever gets individual pulses from this module."""
    return AgentPulse.objects.filter(agent=agent).select_related("ticket")


def pending_pulses_of(agent) -> QuerySet[AgentPulse]:
    return pulses_of(agent).filter(score__isnull=True, skipped=False, kind=AgentPulse.Kind.TICKET)


def pending_pulse_count(agent) -> int:
    return AgentPulse.objects.filter(agent=agent, score__isnull=True, skipped=False).count()


def wow_board_for(user, *, limit: int = 50) -> QuerySet[WowStory]:
    """Wow stories of the user's teams (admins: all), newest first."""
    stories = WowStory.objects.select_related("agent", "team", "rating__ticket")
    if role_of(user) != Role.ADMIN:
        stories = stories.filter(team_id__in=team_ids_of(user))
    return stories.order_by("-shared_at", "-id")[:limit]
