"""A survey that could not be sent is visible to staff, and an admin can put it back in the outbox."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Survey
from outbox.models import Delivery
from tests.feedback import helpers as ff
from tests.feedback.helpers import resolve, send_due, survey_of

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
smtp_refusing = ff.smtp_refusing


@pytest.fixture
def failed(settings, smtp_refusing, ticket, agent) -> Survey:
    """A survey whose email the mail server refused at its last attempt (here the only one)."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    resolve(ticket, agent)
    assert send_due(timezone.now() + timedelta(hours=2)) == ["failed"]
    return survey_of(ticket)


def test_staff_see_a_failed_survey_and_its_error_in_the_api(client, failed, agent):
    client.force_login(agent)
    body = client.get(f"/api/v1/tickets/{failed.ticket.reference}/survey/").json()
    assert body["state"] == "failed" and "554" in body["last_error"] and body["attempts"] == 1


def test_the_agent_sees_the_failure_on_the_ticket_page(client, failed, agent):
    client.force_login(agent)
    body = client.get(reverse("tickets:detail", args=[failed.ticket.reference])).content.decode()
    assert "Failed" in body and "554" in body


def test_an_admin_puts_failed_surveys_back_in_the_outbox(client, failed, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:feedback_survey_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    survey = survey_of(failed.ticket)
    assert survey.state == Survey.State.SCHEDULED
    assert (survey.delivery.state, survey.delivery.attempts) == (Delivery.State.PENDING, 0)
