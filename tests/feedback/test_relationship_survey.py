"""Relationship survey (D3): NPS 0-10 and the two open questions, sent by a beat task to active customers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import services, tasks
from feedback.emails import relationship_message_id
from feedback.models import NpsResponse, RelationshipSurvey
from feedback.tokens import relationship_token_for
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


@pytest.fixture
def sent(queue, customer) -> RelationshipSurvey:
    new_ticket(queue, customer)
    [survey_id] = services.relationship_survey_schedule_due()
    assert ff.send_due() == ["sent"]  # the outbox, as a worker does it
    survey = RelationshipSurvey.objects.get(pk=survey_id)
    assert survey.state == RelationshipSurvey.State.SENT and survey.expires_at is not None
    return survey


def test_active_customers_get_one_relationship_survey_per_half_year(queue, customer):
    new_ticket(queue, customer)
    factories.CustomerFactory()  # no ticket in the last year: not active
    tasks.send_relationship_surveys.apply()  # the daily beat task
    assert RelationshipSurvey.objects.count() == 1
    services.relationship_survey_schedule_due(now=timezone.now() + timedelta(days=100))
    assert RelationshipSurvey.objects.count() == 1  # asked less than half a year ago
    services.relationship_survey_schedule_due(now=timezone.now() + timedelta(days=190))
    assert RelationshipSurvey.objects.count() == 2


def test_the_email_asks_the_three_questions_with_a_signed_link(sent):
    [message] = [m for m in mail.outbox if m.extra_headers.get("Message-ID") == relationship_message_id(sent)]
    assert "How would you feel if we were not available tomorrow?" in message.body
    assert "What one thing could we do to make you happier?" in message.body
    signed_payload = relationship_token_for(sent).split(":")[0]  # the timestamp part differs per signing
    assert reverse("feedback:relationship_survey", args=["X"])[:-2] + signed_payload in message.body


def test_the_customer_answers_nps_and_the_open_questions(client, sent):
    url = reverse("feedback:relationship_survey", args=[relationship_token_for(sent)])
    assert client.get(url).status_code == 200 and not NpsResponse.objects.exists()
    response = client.post(url, {"score": "9", "if_unavailable": "Lost", "one_thing": "Weekend support"})
    assert response.status_code == 302
    answer = NpsResponse.objects.get()
    assert (answer.score, answer.if_unavailable, answer.one_thing) == (9, "Lost", "Weekend support")
    sent.refresh_from_db()
    assert sent.state == RelationshipSurvey.State.ANSWERED


def test_a_score_outside_zero_to_ten_is_refused_keeping_the_text(client, sent):
    url = reverse("feedback:relationship_survey", args=[relationship_token_for(sent)])
    response = client.post(url, {"score": "11", "one_thing": "Keep my words"})
    assert response.status_code == 400 and "Keep my words" in response.content.decode()
    assert not NpsResponse.objects.exists()


def test_a_tampered_relationship_link_is_refused_politely(client, sent):
    url = reverse("feedback:relationship_survey", args=[relationship_token_for(sent) + "x"])
    assert client.post(url, {"score": "10"}).status_code == 404
    assert not NpsResponse.objects.exists()


def test_a_head_request_on_the_link_answers_and_records_nothing(client, sent):
    url = reverse("feedback:relationship_survey", args=[relationship_token_for(sent)])
    assert client.head(url).status_code == 200  # mail scanners check links with HEAD
    assert not NpsResponse.objects.exists()
    sent.refresh_from_db()
    assert sent.state == RelationshipSurvey.State.SENT
