"""Resolving without a follow-up: the one choice about after-resolution contact that tickets offer.

Once a ticket is resolved, another app may follow up with the customer (feedback asks how it went). An
agent can resolve without that follow-up and say why. Tickets carry the reason, only on a resolution
(`events.StatusChange.no_follow_up_reason`), and nothing more: the app that follows up decides what it
means, and says in its own words what the agent is choosing. It registers those words here, from its
`AppConfig.ready()`; the ticket page, the list's bulk bar and the API offer the choice only when some app
has, since with nobody following up there is nothing to resolve without.
"""

from dataclasses import dataclass

from django.utils.functional import Promise

MAX_REASON_LENGTH = 500

Text = str | Promise  # a lazy translation, rendered in the reader's language


@dataclass(frozen=True)
class FollowUpWords:
    label: Text  # the field on the ticket page and in the list's bulk bar
    help_one: Text  # its help on the ticket page (one ticket)
    help_many: Text  # its help in the bulk bar (the selected tickets)
    api_field: str  # the field's name in the API's PATCH and bulk-status bodies (a contract with clients)
    api_help: Text  # its description in the API schema


_words: FollowUpWords | None = None


def register(words: FollowUpWords) -> None:
    """Offer the choice, in these words (one app follows up; a second registration replaces the first)."""
    global _words
    _words = words


def words() -> FollowUpWords | None:
    """The registered words, or None when no app follows up a resolution."""
    return _words


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()[:MAX_REASON_LENGTH]
