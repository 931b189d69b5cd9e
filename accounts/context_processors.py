from django.conf import settings

from accounts.roles import Role, role_of


def navigation(request) -> dict:
    """What the base template needs to draw the navigation for the user's role."""
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    return {
        "nav_role": role.value if role else "",
        "show_sent_mail": settings.SHOW_SENT_MAIL and role is not None and role != Role.CUSTOMER,
    }
