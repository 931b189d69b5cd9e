def navigation(request) -> dict:
    """The navigation badge: one cheap COUNT, only for staff.

    Supervisors and admins: open escalations routed to them. Agents: unread notifications (remedy
    decisions and guidance) — cleared when they open "My remedies".
    """
    from accounts.roles import Role, role_of  # apps load after settings; import lazily

    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    if role in (Role.SUPERVISOR, Role.ADMIN):
        from escalation.selectors import open_count_for

        return {"escalation_count": open_count_for(user)}
    if role == Role.AGENT:
        from escalation.services.notifications import notifications_unread_count

        return {"escalation_count": notifications_unread_count(user)}
    return {}
