"""Domain errors of the feedback app: a stable code, a translatable message, an HTTP status."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import DomainError


class InvalidSurveyLink(DomainError):
    code = "invalid_survey_link"
    default_message = _("This survey link is not valid. Please use the link from your email exactly as it is.")
    status_code = 404


class SurveyLinkExpired(DomainError):
    code = "survey_link_expired"
    default_message = _("This survey link has expired. Thank you all the same for wanting to tell us.")
    status_code = 410


class SurveyClosed(DomainError):
    code = "survey_closed"
    default_message = _("This survey can no longer be answered.")
    status_code = 409


class InvalidStars(DomainError):
    code = "invalid_stars"
    default_message = _("Please choose a rating from 1 to 5 stars.")


class InvalidScore(DomainError):
    code = "invalid_score"
    default_message = _("Please choose a score from %(low)s to %(high)s.")


class PulseNotYours(DomainError):
    code = "pulse_not_found"
    default_message = _("This pulse does not exist or is not yours.")
    status_code = 404


class PulseAnswerFinal(DomainError):
    code = "pulse_answer_final"
    default_message = _(
        "This week is over and your answer is already counted in the team's figures, so it can no longer "
        "be changed."
    )
    status_code = 409
