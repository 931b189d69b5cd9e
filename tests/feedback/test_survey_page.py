"""The public survey page: token only, GET records nothing, POST rates, changes are kept."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import events, services
from feedback.models import Rating, RatingChange, Survey, WowStory
from feedback.tokens import survey_token_for, survey_token_payload
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, old_token, resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


@pytest.fixture
def survey(ticket, agent) -> Survey:
    resolve(ticket, agent)
    survey = survey_of(ticket)
    services.survey_send(survey_id=survey.pk, now=survey.due_at)
    survey.refresh_from_db()
    return survey


def url(survey: Survey, token: str | None = None, reference: str | None = None) -> str:
    return reverse("feedback:survey", args=[reference or survey.ticket.reference, token or survey_token_for(survey)])


def test_a_star_link_opens_the_page_with_that_star_preselected_and_records_nothing(client, survey):
    response = client.get(url(survey) + "?stars=4")
    assert response.status_code == 200
    assert re.search(r'name="stars" value="4"[^>]*checked', response.content.decode())
    assert "What did we do right?" in response.content.decode()
    assert not Rating.objects.exists()
    survey.refresh_from_db()
    assert survey.state == Survey.State.SENT


def test_a_low_star_link_asks_where_we_went_wrong(client, survey):
    assert "Where did we go wrong?" in client.get(url(survey) + "?stars=2").content.decode()


def test_the_page_needs_no_login_and_works_without_javascript(client, survey):
    response = client.get(url(survey))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post"' in body and 'name="csrfmiddlewaretoken"' in body
    assert 'name="viewport"' in body  # the base layout is responsive (375px)


def test_posting_the_form_records_the_rating(client, survey):
    response = client.post(url(survey), {"stars": "4", "follow_up": "Quick and kind", "comment": ""})
    assert response.status_code == 302
    rating = Rating.objects.get(survey=survey)
    assert (rating.stars, rating.follow_up, rating.agent_id) == (4, "Quick and kind", survey.agent_id)
    assert (rating.queue_id, rating.ticket_kind) == (survey.ticket.queue_id, survey.ticket.kind)
    survey.refresh_from_db()
    assert survey.state == Survey.State.ANSWERED
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_a_post_without_stars_keeps_what_the_customer_typed(client, survey):
    response = client.post(url(survey), {"follow_up": "Long story I typed", "comment": "and more"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Long story I typed" in body and "and more" in body and "1 to 5" in body
    assert not Rating.objects.exists()


def test_the_form_is_protected_by_csrf(survey):
    response = Client(enforce_csrf_checks=True).post(url(survey), {"stars": "5"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_a_tampered_token_gets_a_polite_page_and_records_nothing(client, survey):
    token = survey_token_for(survey)
    response = client.post(url(survey, token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")), {"stars": "1"})
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_expired_token_gets_a_polite_page_and_records_nothing(client, survey):
    response = client.post(url(survey, token=old_token(survey, days=31)), {"stars": "1"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_token_that_is_not_yet_expired_still_works(client, survey):
    assert client.post(url(survey, token=old_token(survey, days=29)), {"stars": "3"}).status_code == 302


def test_a_token_cannot_rate_another_ticket(client, survey, queue, agent):
    other = new_ticket(queue)
    resolve(other, agent)
    response = client.post(url(survey, reference=other.reference), {"stars": "1"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_a_token_of_another_purpose_is_refused(client, survey):
    from django.core import signing

    forged = signing.dumps({"s": survey.pk, "t": survey.ticket_id}, salt="tickets.follow", compress=True)
    assert client.post(url(survey, token=forged), {"stars": "5"}).status_code == 404


def test_changing_the_rating_keeps_every_change(client, survey):
    client.post(url(survey), {"stars": "3", "follow_up": "Slow"})
    client.post(url(survey), {"stars": "5", "follow_up": "Slow, but they fixed it", "comment": "Thanks Ann!"})
    client.post(url(survey), {"stars": "5", "follow_up": "Slow, but they fixed it", "comment": "Thanks Ann!"})
    rating = Rating.objects.get(survey=survey)
    assert rating.stars == 5
    assert list(RatingChange.objects.filter(rating=rating).values_list("stars", "follow_up")) == [
        (3, "Slow"),
        (5, "Slow, but they fixed it"),
    ]


def test_a_survey_past_its_expiry_cannot_be_rated(client, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert client.post(url(survey), {"stars": "4"}).status_code == 400
    assert not Rating.objects.exists()


@pytest.mark.parametrize("stars", [1, 2])
def test_a_rating_of_one_or_two_publishes_the_recovery_event(client, survey, stars, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **payload):
        received.append(payload)

    events.low_rating.connect(receiver, dispatch_uid="test-low-rating")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url(survey), {"stars": str(stars), "comment": "Nobody answered",
                                      "follow_up": "The refund never came"})
    finally:
        events.low_rating.disconnect(dispatch_uid="test-low-rating")
    rating = Rating.objects.get(survey=survey)
    assert received == [
        {
            "signal": events.low_rating,
            "ticket_id": survey.ticket_id,
            "rating_id": rating.pk,
            "stars": stars,
            "comment": "Nobody answered",
            "follow_up": "The refund never came",
        }
    ]


def test_a_rating_of_three_publishes_no_recovery_event(client, survey, django_capture_on_commit_callbacks):
    received = []
    events.low_rating.connect(lambda sender, **p: received.append(p), dispatch_uid="test-low-rating-3", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url(survey), {"stars": "3"})
    finally:
        events.low_rating.disconnect(dispatch_uid="test-low-rating-3")
    assert received == []


def test_a_five_star_rating_with_a_comment_becomes_a_wow_story_for_the_team(client, survey, agent):
    client.post(url(survey), {"stars": "5", "comment": "Ann called me back on a Sunday!"})
    story = WowStory.objects.get()
    assert (story.agent, story.team_id, story.text) == (
        agent,
        survey.ticket.queue.team_id,
        "Ann called me back on a Sunday!",
    )
    client.post(url(survey), {"stars": "4", "comment": "Actually, it was Monday."})
    assert not WowStory.objects.exists()


def test_the_page_speaks_the_customers_language(client, queue, agent):
    from tests import factories

    ticket = new_ticket(queue, factories.CustomerFactory(language="nl"))
    resolve(ticket, agent)
    response = client.get(url(survey_of(ticket)))
    assert response["Content-Language"] == "nl"


def test_the_public_page_is_rate_limited(client, survey):
    # 30/minute in fixed windows: 61 requests (well under a minute) put at least 31 in one window.
    statuses = {client.get(url(survey)).status_code for _ in range(61)}
    assert statuses == {200, 429}


def test_the_follow_panel_lets_the_customer_rate(survey):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    html = Template('{% include "feedback/_follow_panel.html" %}').render(
        Context({"ticket": survey.ticket, "request": request, "csrf_token": "x"})
    )
    # The link is the survey's (a token signed in another second differs in its timestamp, not its survey).
    links = re.findall(r'action="/survey/' + survey.ticket.reference + r'/([^/"]+)/', html)
    assert links
    assert {tuple(survey_token_payload(token).values()) for token in links} == {(survey.pk, survey.ticket_id)}
    assert 'name="stars"' in html


def test_a_head_request_on_a_star_link_answers_and_records_nothing(client, survey):
    response = client.head(url(survey) + "?stars=1")  # mail scanners check links with HEAD
    assert response.status_code == 200
    assert not Rating.objects.exists()
    survey.refresh_from_db()
    assert survey.state == Survey.State.SENT


def test_the_star_link_page_records_the_linked_star_with_its_one_button(client, survey):
    body = client.get(url(survey) + "?stars=4").content.decode()
    assert re.search(r'name="stars" value="4"[^>]*checked', body)
    [button] = re.findall(r'<button[^>]*type="submit"[^>]*>\s*Send my rating\s*</button>', body)
    assert body.index(button) < body.index('name="follow_up"')  # the tap first, the optional words after
    assert client.post(url(survey), {"stars": "4", "follow_up_for": "good"}).status_code == 302
    assert Rating.objects.get(survey=survey).stars == 4


def test_the_follow_up_answer_can_be_added_after_the_rating_is_recorded(client, survey):
    client.post(url(survey), {"stars": "2", "follow_up_for": "bad"})
    body = client.get(url(survey) + "?thanks=1").content.decode()
    assert re.search(r'Where did we go wrong\?\s*</label>', body)
    client.post(url(survey), {"stars": "2", "follow_up": "Nobody called back.", "follow_up_for": "bad"})
    rating = Rating.objects.get(survey=survey)
    assert (rating.stars, rating.follow_up) == (2, "Nobody called back.")


def test_the_email_names_the_button_that_records_the_rating(survey):
    from tests.feedback.helpers import survey_mails

    [message] = survey_mails()
    assert "One click is enough" not in message.body
    assert "press “Send my rating”" in message.body
    assert "press “Send my rating”" in message.alternatives[0][0]


@pytest.fixture
def complaint(survey) -> Rating:
    return services.rating_submit(survey_id=survey.pk, stars=2, follow_up="The replacement took two weeks.")


def test_another_star_link_shows_the_saved_answer_and_what_would_change(client, survey, complaint):
    body = client.get(url(survey) + "?stars=5").content.decode()
    assert re.search(r'name="stars" value="2"[^>]*checked', body)
    assert not re.search(r'name="stars" value="5"[^>]*checked', body)
    # The complaint stays under the question it answers.
    assert re.search(r"Where did we go wrong\?\s*</label>\s*<textarea[^>]*>\s*The replacement took two weeks\.", body)
    assert "Your rating: 2 out of 5" in body
    assert "The link you opened is for 5 out of 5" in body
    complaint.refresh_from_db()
    assert (complaint.stars, complaint.follow_up) == (2, "The replacement took two weeks.")


def test_moving_an_answer_to_the_other_question_is_shown_before_it_is_saved(client, survey, complaint):
    data = {"stars": "5", "follow_up": "The replacement took two weeks.", "follow_up_for": "bad"}
    response = client.post(url(survey), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "This answer was written for “Where did we go wrong?”" in body
    assert re.search(r"What did we do right\?\s*</label>\s*<textarea[^>]*>\s*The replacement took two weeks\.", body)
    complaint.refresh_from_db()
    assert complaint.stars == 2
    # Sent again as it is, under the question now shown: the customer has seen the change.
    assert re.search(r'name="follow_up_for" value="good"', body)
    assert client.post(url(survey), {**data, "follow_up_for": "good"}).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.stars, complaint.follow_up) == (5, "The replacement took two weeks.")


def test_a_refused_answer_shows_an_error_summary_that_takes_the_focus(client, survey):
    response = client.post(url(survey), {"follow_up": "Long story I typed", "follow_up_for": "any"})
    body = response.content.decode()
    assert response.status_code == 400
    [summary] = re.findall(r'<div[^>]*id="error-summary"[^>]*>', body)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert re.search(r'<a[^>]*href="#id_stars_0">Please choose a rating from 1 to 5 stars\.</a>', body)
    assert "Long story I typed" in body


def test_the_survey_page_without_errors_has_no_error_summary(client, survey):
    assert 'id="error-summary"' not in client.get(url(survey) + "?stars=3").content.decode()
