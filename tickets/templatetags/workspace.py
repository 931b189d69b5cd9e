"""Small presentation helpers for the agent's workspace templates.

The list's rows get the same values precomputed (`selectors_workspace.list_rows`); these filters
serve the ticket page and the few places that show one ticket at a time.
"""

from django import template

from tickets.selectors_workspace import _NEUTRAL_CLASS, _PRIORITY_CLASSES, _STATUS_CLASSES, person_name

register = template.Library()


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap badge classes for a ticket status."""
    return _STATUS_CLASSES.get(status, _NEUTRAL_CLASS)


@register.filter
def priority_badge(priority: str) -> str:
    return _PRIORITY_CLASSES.get(priority, _NEUTRAL_CLASS)


@register.filter
def person(user) -> str:
    """A user's full name, or the username when there is none."""
    return person_name(user)
