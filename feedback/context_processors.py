def navigation(request) -> dict:
    """Counts and links this app adds to the navigation bar."""
    return {}
