"""Role checks for views and the API. Object visibility is `tickets.selectors.visible_to`."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from tickets.roles import STAFF_ROLES, Role, role_of


def role_required(*roles: Role):
    """Anonymous users go to the login page; users of another role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(*STAFF_ROLES)
supervisor_required = role_required(Role.SUPERVISOR, Role.ADMIN)
customer_required = role_required(Role.CUSTOMER)


class IsStaffMember(BasePermission):
    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in STAFF_ROLES


class IsSupervisorOrAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in (Role.SUPERVISOR, Role.ADMIN)
