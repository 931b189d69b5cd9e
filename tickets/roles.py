"""The four roles of the desk. Each is a Django group (created by a data migration) with permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
# The strongest role wins when a user is in several groups.
_PRECEDENCE = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER)


def role_of(user) -> Role | None:
    """The user's role, memoised on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_delightdesk_role", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = Role.ADMIN
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in _PRECEDENCE if r.value in names), None)
    user._delightdesk_role = role
    return role


def is_staff_member(user) -> bool:
    return role_of(user) in STAFF_ROLES
