"""The survey page's language: the visitor's own choice, then the customer's, then the browser's (docs/i18n.md)."""

import pytest
from django.urls import reverse
from django.utils import translation

from feedback.tokens import relationship_token_for, survey_token_for
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


@pytest.fixture(autouse=True)
def _language_restored():
    """A request leaves the language its middleware activated in the test's thread: put it back, so the
    tests that run later (pytest-django runs those without a database last) see the default."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def survey_for(queue, agent):
    def make(language: str):
        ticket = new_ticket(queue, factories.CustomerFactory(language=language))
        resolve(ticket, agent)
        return survey_of(ticket)

    return make


def url(survey) -> str:
    return reverse("feedback:survey", args=[survey.ticket.reference, survey_token_for(survey)])


def test_the_star_labels_speak_the_customers_language(client, survey_for):
    body = client.get(url(survey_for("et")) + "?stars=5").content.decode()
    assert "Vaimustuses" in body and "Väga halb: teenindusest polnud aimugi" in body
    assert "Delighted" not in body


def test_the_customers_language_comes_before_the_browsers(client, survey_for):
    response = client.get(url(survey_for("nl")), HTTP_ACCEPT_LANGUAGE="fi")
    assert response["Content-Language"] == "nl"


def test_a_customer_whose_language_the_desk_never_learned_gets_the_browsers(client, survey_for, settings):
    # The desk stores its default language when it knows nothing better (the email had no Content-Language).
    survey = survey_for(settings.LANGUAGE_CODE)
    response = client.get(url(survey), HTTP_ACCEPT_LANGUAGE="et-EE,et;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "et"
    assert "Vaimustuses" in response.content.decode()


def test_a_browser_asking_for_no_language_of_the_desk_gets_the_customers(client, survey_for, settings):
    response = client.get(url(survey_for(settings.LANGUAGE_CODE)), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response["Content-Language"] == settings.LANGUAGE_CODE


def test_a_language_picked_with_the_switcher_comes_first(client, survey_for, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get(url(survey_for("nl")), HTTP_ACCEPT_LANGUAGE="fi")
    assert response["Content-Language"] == "es"


def test_the_relationship_survey_page_follows_the_same_order(client, queue, settings):
    from feedback import services
    from feedback.models import RelationshipSurvey

    new_ticket(queue, factories.CustomerFactory(language=settings.LANGUAGE_CODE))
    [survey_id] = services.relationship_survey_schedule_due()
    page = reverse("feedback:relationship_survey", args=[relationship_token_for(RelationshipSurvey.objects.get())])
    response = client.get(page, HTTP_ACCEPT_LANGUAGE="fi")
    assert survey_id and response["Content-Language"] == "fi"
    assert "Kolme lyhyttä kysymystä" in response.content.decode()


def test_a_logged_in_users_own_language_comes_first(client, survey_for, agent):
    agent.profile.language = "fi"
    agent.profile.save(update_fields=["language"])
    client.force_login(agent)
    assert client.get(url(survey_for("nl")), HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "fi"
