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
from .relationship import nps_submit, relationship_survey_schedule_due, relationship_survey_send
from .surveys import (
    backoff_seconds,
    survey_claim_due,
    survey_expire_old,
    survey_retry_failed,
    survey_send,
    survey_send_claimed,
    survey_send_due,
    surveys_cancel_for_reopen,
    surveys_schedule,
    surveys_skip,
)

__all__ = [
    "backoff_seconds",
    "nps_submit",
    "pulse_answer",
    "pulse_answer_for_ticket",
    "pulse_request",
    "pulse_skip",
    "pulses_ask",
    "rating_submit",
    "relationship_survey_schedule_due",
    "relationship_survey_send",
    "survey_claim_due",
    "survey_expire_old",
    "survey_for_follow_page",
    "survey_retry_failed",
    "survey_send",
    "survey_send_claimed",
    "survey_send_due",
    "surveys_cancel_for_reopen",
    "surveys_schedule",
    "surveys_skip",
    "weekly_pulse_answer",
]
