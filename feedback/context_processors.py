def navigation(request) -> dict:
    """Counts and links this app adds to the navigation bar: the agent's pending pulses (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.roles import STAFF_ROLES, role_of

    if role_of(user) not in STAFF_ROLES:
        return {}
    from feedback.selectors import pending_pulse_count

    return {"pending_pulse_count": pending_pulse_count(user)}
