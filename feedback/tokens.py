"""Signed, expiring links in survey emails. A token names one survey of one ticket and one purpose."""

from django.conf import settings
from django.core import signing

from feedback.exceptions import InvalidSurveyLink, SurveyLinkExpired

SURVEY_SALT = "feedback.survey"
RELATIONSHIP_SALT = "feedback.relationship"


def survey_token_for(survey) -> str:
    return signing.dumps({"s": survey.pk, "t": survey.ticket_id}, salt=SURVEY_SALT, compress=True)


def survey_token_payload(token: str) -> dict:
    """{'s': survey id, 't': ticket id}; raises SurveyLinkExpired or InvalidSurveyLink."""
    max_age = settings.SURVEY_TOKEN_MAX_AGE_DAYS * 86400
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise SurveyLinkExpired() from exc
    except signing.BadSignature as exc:
        raise InvalidSurveyLink() from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("t"), int):
        raise InvalidSurveyLink()
    return data


def relationship_token_for(survey) -> str:
    return signing.dumps({"r": survey.pk, "c": survey.customer_id}, salt=RELATIONSHIP_SALT, compress=True)


def relationship_token_payload(token: str) -> dict:
    max_age = settings.SURVEY_TOKEN_MAX_AGE_DAYS * 86400
    try:
        data = signing.loads(token, salt=RELATIONSHIP_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise SurveyLinkExpired() from exc
    except signing.BadSignature as exc:
        raise InvalidSurveyLink() from exc
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("c"), int):
        raise InvalidSurveyLink()
    return data
