"""Feedback follows up a resolved ticket with the satisfaction survey, and an agent may resolve without one,
giving the reason: tickets call that "resolving without a follow-up" (`tickets.follow_up`) and carry only the
reason. These are feedback's words for the choice, shown on the ticket page, in the list's bulk bar and in the
API (registered in `FeedbackConfig.ready()`); `feedback.receivers` turns the reason into a skipped survey."""

from django.utils.translation import gettext_lazy as _

from tickets import follow_up

WORDS = follow_up.FollowUpWords(
    label=_("Resolve without a survey, because…"),
    help_one=_("Only when resolving. Leave empty to survey the customer as usual."),
    help_many=_("Only when resolving. Leave empty to survey the customers as usual."),
    # The API's name for it since it first had it: clients send it, so it stays.
    api_field="skip_survey_reason",
    api_help=_("With `resolved`: resolve without sending the satisfaction survey, for this reason."),
)


def register() -> None:
    follow_up.register(WORDS)
