"""What the user may aggregate: the rows of each source in the user's scope and the filter's range.

Admins see everything; agents and supervisors their teams; anybody else nothing. Every figure starts
from one of these querysets (or from `counts.RatingCounts`, which applies the same scope to the rollups).
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Customer, Membership, Team
from accounts.roles import Role, role_of
from accounts.selectors import team_ids_of
from feedback.models import AgentPulse, NpsResponse, Rating, Survey
from helpdesk.dates import monday_of
from reports.figures.filters import ReportFilter
from tickets.models import Ticket


def team_scope(user) -> QuerySet | None:
    """None = everything (admins); otherwise the ids of the user's teams (as a subquery)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role in (Role.AGENT, Role.SUPERVISOR):
        return team_ids_of(user)
    return Team.objects.none().values("id")


# Where each slice of a ReportFilter lives on a rating and on a survey.
_RATING_SLICES = {"team": "team_id", "agent_id": "agent_id", "team_id": "team_id", "queue_id": "queue_id",
                  "kind": "ticket_kind", "company": "company"}
_SURVEY_SLICES = {"team": "queue__team_id", "agent_id": "agent_id", "team_id": "queue__team_id",
                  "queue_id": "queue_id", "kind": "ticket__kind", "company": "customer__company"}


def _sliced(qs: QuerySet, user, f: ReportFilter, columns: dict[str, str]) -> QuerySet:
    """`qs` limited to the user's teams and to the filter's slices (agent, team, queue, kind, company)."""
    teams = team_scope(user)
    if teams is not None:
        qs = qs.filter(**{f"{columns['team']}__in": teams})
    for name in ("agent_id", "team_id", "queue_id", "kind", "company"):
        if value := getattr(f, name):
            qs = qs.filter(**{columns[name]: value})
    return qs


def ratings_for(user, f: ReportFilter) -> QuerySet[Rating]:
    return _sliced(Rating.objects.filter(created_at__gte=f.start, created_at__lt=f.end), user, f, _RATING_SLICES)


def surveys_for(user, f: ReportFilter) -> QuerySet[Survey]:
    """Surveys sent in the range: the denominator of the response rate."""
    return _sliced(Survey.objects.filter(sent_at__gte=f.start, sent_at__lt=f.end), user, f, _SURVEY_SLICES)


def members_of(teams) -> QuerySet:
    """The user ids of the members of `teams` (ids or a subquery), as a subquery."""
    return Membership.objects.filter(team_id__in=teams).values("user_id")


def pulses_for(user, f: ReportFilter) -> QuerySet[AgentPulse]:
    """Answered pulses of the weeks that overlap the range, in the user's scope. Queue, kind and company
    do not apply. Never aggregated as such: figures go through `asat.pulse_cells` (the privacy rule)."""
    qs = AgentPulse.objects.filter(score__isnull=False, week__gte=monday_of(f.date_from), week__lte=f.date_to)
    teams = team_scope(user)
    if teams is not None:
        qs = qs.filter(agent_id__in=members_of(teams))
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id:
        qs = qs.filter(agent_id__in=Membership.objects.filter(team_id=f.team_id).values("user_id"))
    return qs


def nps_for(user, f: ReportFilter) -> QuerySet[NpsResponse]:
    qs = NpsResponse.objects.filter(answered_at__gte=f.start, answered_at__lt=f.end)
    if role_of(user) not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return qs.none()
    if f.company:
        qs = qs.filter(company=f.company)
    return qs


def customers_for(user, f: ReportFilter) -> QuerySet[Customer]:
    """The customer base a figure is about: all customers for admins, those with tickets in the
    user's teams' queues otherwise; narrowed by company."""
    qs = Customer.objects.all()
    teams = team_scope(user)
    if teams is not None:
        qs = qs.filter(id__in=Ticket.objects.filter(queue__team_id__in=teams).values("customer_id"))
    if f.company:
        qs = qs.filter(company=f.company)
    return qs


def team_members(user, f: ReportFilter) -> QuerySet:
    """(user_id, team_id) of the memberships in the user's scope and the filter's team: how pulses,
    which know only their agent, are counted per team."""
    members = Membership.objects.all()
    teams = team_scope(user)
    if teams is not None:
        members = members.filter(team_id__in=teams)
    if f.team_id:
        members = members.filter(team_id=f.team_id)
    return members.order_by().values("user_id", "team_id")
