"""Signed, expiring links in survey emails. A token names one survey of one ticket and one purpose."""

from django.conf import settings
from django.core import signing

from feedback.exceptions import InvalidSurveyLink, SurveyLinkExpired

SURVEY_SALT = "feedback.survey"
RELATIONSHIP_SALT = "feedback.relationship"


def survey_token_for(survey) -> str:
    return signing.dumps({"s": survey.pk, "t": survey.ticket_id}, salt=SURVEY_SALT, compress=True)


def _payload(token: str, *, salt: str, keys: tuple[str, str]) -> dict:
    """The signed dict of integer ids `keys`; raises SurveyLinkExpired or InvalidSurveyLink."""
    try:
        data = signing.loads(token, salt=salt, max_age=settings.SURVEY_TOKEN_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise SurveyLinkExpired() from exc
    except signing.BadSignature as exc:
        raise InvalidSurveyLink() from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in keys):
        raise InvalidSurveyLink()
    return data


def survey_token_payload(token: str) -> dict:
    """{'s': survey id, 't': ticket id}."""
    return _payload(token, salt=SURVEY_SALT, keys=("s", "t"))


def relationship_token_for(survey) -> str:
    return signing.dumps({"r": survey.pk, "c": survey.customer_id}, salt=RELATIONSHIP_SALT, compress=True)


def relationship_token_payload(token: str) -> dict:
    """{'r': relationship survey id, 'c': customer id}."""
    return _payload(token, salt=RELATIONSHIP_SALT, keys=("r", "c"))
