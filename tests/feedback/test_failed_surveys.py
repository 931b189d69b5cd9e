"""A survey that could not be sent is visible to staff, and an admin can put it back in the outbox."""

from django.urls import reverse

from feedback.models import Survey
from tests.feedback import factories as ff
from tests.feedback.factories import resolve, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


def _failed(ticket, agent) -> Survey:
    resolve(ticket, agent)
    Survey.objects.filter(ticket=ticket).update(
        state=Survey.State.FAILED, attempts=5, last_error="SMTPDataError: (554, b'refused')"
    )
    return survey_of(ticket)


def test_staff_see_a_failed_survey_and_its_error_in_the_api(client, ticket, agent):
    _failed(ticket, agent)
    client.force_login(agent)
    body = client.get(f"/api/v1/tickets/{ticket.reference}/survey/").json()
    assert body["state"] == "failed" and "554" in body["last_error"]


def test_an_admin_puts_failed_surveys_back_in_the_outbox(client, ticket, agent, admin_user):
    survey = _failed(ticket, agent)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:feedback_survey_changelist"),
        {"action": "retry_failed", "_selected_action": [survey.pk]},
        follow=True,
    )
    assert response.status_code == 200
    survey.refresh_from_db()
    assert (survey.state, survey.attempts) == (Survey.State.SCHEDULED, 0)
