"""Small presentation helpers for the agent's workspace templates."""

from django import template

register = template.Library()

_STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}
_PRIORITY_CLASSES = {
    "low": "text-bg-light border",
    "normal": "text-bg-light border",
    "high": "text-bg-warning",
    "urgent": "text-bg-danger",
}


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap badge classes for a ticket status."""
    return _STATUS_CLASSES.get(status, "text-bg-light border")


@register.filter
def priority_badge(priority: str) -> str:
    return _PRIORITY_CLASSES.get(priority, "text-bg-light border")


@register.filter
def person(user) -> str:
    """A user's full name, or the username when there is none."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
