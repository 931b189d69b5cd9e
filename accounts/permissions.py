"""The one role check for the desk's pages and API. Which objects a user may see is each app's
`*_visible_to` selector; whether the user may come in at all is decided here, from `accounts.roles`.

Pages: anonymous visitors go to the login page; a logged-in user of another role gets 403, or 404 where
the page must not admit that it exists (`hide=True`). The API: the DRF permission classes below, built the
same way (403 with a message, or 404).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from accounts.roles import STAFF_ROLES, SUPERVISOR_ROLES, Role, role_of


def role_required(*roles: Role, hide: bool = False):
    """Anonymous users go to the login page; users of another role get 403 (404 with `hide`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise Http404 if hide else PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(*STAFF_ROLES)
supervisor_required = role_required(*SUPERVISOR_ROLES)
customer_required = role_required(Role.CUSTOMER)


class RolePermission(BasePermission):
    """An API endpoint for `roles` only: others get 403 (with `message` where a subclass sets one), or 404
    when `hide` is set. Logged-in users outside `known_to`, when a subclass sets it, get 404: for them what
    the endpoint acts on does not exist (a customer and escalations)."""

    roles: frozenset = frozenset(Role)
    hide = False
    known_to: frozenset | None = None

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if role in self.roles:
            return True
        hidden = self.hide or (self.known_to is not None and role not in self.known_to)
        if hidden and request.user.is_authenticated:
            raise NotFound
        return False


class HasDeskRole(RolePermission):
    """Logged-in users without a role (no group) get 403, not an empty desk."""

    message = _("Your account has no role on this desk.")


class IsStaffMember(RolePermission):
    roles = STAFF_ROLES


class IsSupervisorOrAdmin(RolePermission):
    roles = SUPERVISOR_ROLES


class StaffOr404(IsStaffMember):
    """For what does not exist for customers (escalations): 404, not 403."""

    hide = True


class SupervisorOnly(IsSupervisorOrAdmin):
    """Supervisors' and admins' actions on what every staff member can read (escalations, remedies): an
    agent is told 403, the truth; a customer, for whom none of it exists, gets 404."""

    message = _("Only a supervisor or an admin can do this.")
    known_to = STAFF_ROLES
