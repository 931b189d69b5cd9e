"""The four roles of the desk, and the one answer to "what is this user's role?".

Each role is a Django group (created by the data migration tickets/0002_roles, and on demand by
`accounts.services.user_create_with_role`). A superuser is an admin. A user in several groups has the
strongest role. `role_of` answers for one user in Python; `role_condition` is the same rule in SQL, for
querysets of people by role (weekly summary recipients, escalation handlers, staff replying by email).
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# The strongest role wins when a user is in several groups.
PRECEDENCE = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER)
_CACHE_ATTRIBUTE = "_delightdesk_role"


def role_of(user) -> Role | None:
    """The user's role, memoised on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, _CACHE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = Role.ADMIN
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in PRECEDENCE if r.value in names), None)
    setattr(user, _CACHE_ATTRIBUTE, role)
    return role


def is_staff_member(user) -> bool:
    return role_of(user) in STAFF_ROLES


def _in_groups(roles) -> Exists:
    groups = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=sorted(r.value for r in roles)
    )
    return Exists(groups)


def role_condition(*roles: Role) -> Q:
    """Users whose `role_of` is one of `roles`, as a condition on the user model (no join: no duplicates).

    A group counts unless the user is also in a stronger group outside `roles`; a superuser is an admin.
    """
    wanted = set(roles)
    condition = Q(is_superuser=True) if Role.ADMIN in wanted else Q(pk__in=[])
    by_blockers: dict[tuple, list[Role]] = {}
    for role in wanted:
        stronger = PRECEDENCE[: PRECEDENCE.index(role)]
        by_blockers.setdefault(tuple(r for r in stronger if r not in wanted), []).append(role)
    for blockers, members in by_blockers.items():
        member = Q(_in_groups(members))
        if blockers:
            member &= ~Q(_in_groups(blockers))
        if Role.ADMIN not in wanted:
            member &= Q(is_superuser=False)
        condition |= member
    return condition
