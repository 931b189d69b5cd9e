"""Feedback: the post-ticket satisfaction loop (D1-D5, D7).

`Survey` is written in the same transaction that resolves a ticket, with its email's row in the outbox
(`outbox.Delivery`), which a worker sends when due. `Rating` is the one current answer to a survey,
`RatingChange` keeps every change. `AgentPulse` is the agent's side (ASAT), `NpsResponse` the
relationship survey, `WowStory` D7.

Business rules live in `feedback.services`; these models hold only single-row invariants.
"""

from .pulses import (
    AgentPulse,
)
from .rollups import (
    RatingRollup,
    RatingRollupAgent,
    RatingRollupCompany,
    RollupCounts,
)
from .surveys import (
    STAR_LABELS,
    NpsResponse,
    Rating,
    RatingChange,
    RelationshipSurvey,
    Survey,
    WowStory,
    _language_choices,  # noqa: F401 - migration 0001 names feedback.models._language_choices
)

__all__ = [
    "STAR_LABELS",
    "AgentPulse",
    "NpsResponse",
    "Rating",
    "RatingChange",
    "RatingRollup",
    "RatingRollupAgent",
    "RatingRollupCompany",
    "RelationshipSurvey",
    "RollupCounts",
    "Survey",
    "WowStory",
]
