"""Canned replies (macros): their placeholders filled in for one ticket, ready for the agent to edit.

Only the three documented placeholders are replaced, by plain text substitution: a macro is staff-
written text, but `str.format` would let `{customer_name.__class__}` reach into Python objects.
Unknown `{words}` stay as they are, so a typo is visible in the textarea instead of an error.
"""

import re

from tickets.models import Macro, Ticket

PLACEHOLDERS = ("customer_name", "reference", "agent_name")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def macro_values(*, ticket: Ticket, agent) -> dict[str, str]:
    agent_name = ""
    if agent is not None:
        agent_name = agent.get_full_name() or agent.get_username()
    return {
        "customer_name": ticket.customer.name,
        "reference": ticket.reference or "",
        "agent_name": agent_name,
    }


def macro_render_text(*, text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def macro_render(*, macro: Macro, ticket: Ticket, agent) -> str:
    """The macro's text with {customer_name}, {reference} and {agent_name} filled in for `ticket`."""
    return macro_render_text(text=macro.body, values=macro_values(ticket=ticket, agent=agent))
