"""Reads of people: customers by address or login, teams of a user, staff for pickers, people by role."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower

from accounts.models import Customer, Membership
from accounts.roles import Role, role_condition, role_of


def customer_by_email(email: str) -> Customer | None:
    """Case-insensitive, served by the LOWER(email) unique index (`email__iexact` would scan the table).

    Both sides are folded by the database, as the index is (SQLite's LOWER folds ASCII only).
    """
    return Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email.strip()))).first()


def customer_for_user(user) -> Customer | None:
    return Customer.objects.filter(user=user).first() if user.is_authenticated else None


def team_ids_of(user) -> QuerySet:
    """The ids of the user's teams, as a subquery."""
    return Membership.objects.filter(user=user).values("team_id")


def works_in_team(user, team_id: int | None) -> bool:
    """Whether `user` may work on the team's tickets: its members, and admins (every team)."""
    if role_of(user) == Role.ADMIN:
        return True
    return Membership.objects.filter(user=user, team_id=team_id).exists()


def staff_in_team(team_id: int | None, *, role: str | None = None, also: int | None = None) -> QuerySet:
    """Members of a team (of one team role if given), plus the user `also` (a ticket's current assignee)."""
    members = Q(memberships__team_id=team_id)
    if role is not None:
        members = Q(memberships__team_id=team_id, memberships__role=role)
    if also is not None:
        members |= Q(pk=also)
    return get_user_model().objects.filter(members).distinct().order_by("first_name", "username")


def staff_for_pickers(user) -> QuerySet:
    """The colleagues `user` may pick in filters (lists, reports): every team member for admins, else the
    members of the user's teams. Callers that offer only active people filter `is_active`."""
    users = get_user_model().objects.all()
    if role_of(user) == Role.ADMIN:
        users = users.filter(memberships__isnull=False)
    else:
        users = users.filter(memberships__team_id__in=team_ids_of(user))
    return users.distinct().order_by("first_name", "last_name", "username")


def supervisor_ids_of_team(team_id: int | None) -> QuerySet:
    """The ids of the team's supervisors (team role), as a subquery."""
    return Membership.objects.filter(team_id=team_id, role=Membership.TeamRole.SUPERVISOR).values("user_id")


def member_ids_of_teams(team_ids) -> QuerySet:
    """The ids of the members of `team_ids` (ids or a subquery), as a subquery."""
    return Membership.objects.filter(team_id__in=team_ids).values("user_id")


def users_with_role(*roles: Role) -> QuerySet:
    """Users whose role (`accounts.roles.role_of`) is one of `roles`, in one query without duplicates."""
    return get_user_model().objects.filter(role_condition(*roles))
