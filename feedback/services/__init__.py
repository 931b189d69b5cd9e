"""Every state change of the feedback app goes through these functions (views, API, tasks, receivers)."""

from .pulses import (
    pulse_answer,
    pulse_answer_for_ticket,
    pulse_request,
    pulse_skip,
    pulses_ask,
    weekly_pulse_answer,
)
from .ratings import rating_submit, survey_for_follow_page
from .relationship import nps_submit, relationship_survey_schedule_due, relationship_surveys_mark
from .survey_lifecycle import (
    TRANSITIONS,
    survey_expire_old,
    survey_mark_answered,
    survey_retry_failed,
    surveys_transition,
)
from .surveys import survey_send, surveys_cancel_for_reopen, surveys_schedule, surveys_skip

__all__ = [
    "TRANSITIONS",
    "nps_submit",
    "pulse_answer",
    "pulse_answer_for_ticket",
    "pulse_request",
    "pulse_skip",
    "pulses_ask",
    "rating_submit",
    "relationship_survey_schedule_due",
    "relationship_surveys_mark",
    "survey_expire_old",
    "survey_for_follow_page",
    "survey_mark_answered",
    "survey_retry_failed",
    "survey_send",
    "surveys_cancel_for_reopen",
    "surveys_schedule",
    "surveys_skip",
    "surveys_transition",
    "weekly_pulse_answer",
]
