"""The rule of docs/architecture.md ("No second way in: the admin") over the whole admin site, so that a
model admin registered later cannot quietly become a writer of rows that only services write."""

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

# Rows written only by services: the admin may show them, never add, change or delete them.
SERVICE_WRITTEN = [
    "tickets.Message", "tickets.TicketEvent", "tickets.Attachment", "tickets.NotificationLog",
    "feedback.Survey", "feedback.Rating", "feedback.RatingChange", "feedback.WowStory", "feedback.AgentPulse",
    "feedback.RelationshipSurvey", "feedback.NpsResponse", "reports.WeeklySummary",
    "escalation.Escalation", "escalation.EscalationEvent", "escalation.Remedy", "escalation.Notification",
    "escalation.TicketSla", "outbox.Delivery",
]


@pytest.fixture
def admin_request(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    return request


@pytest.mark.parametrize("label", SERVICE_WRITTEN)
def test_rows_only_services_write_are_view_only_in_the_admin(admin_request, label):
    model_admin = admin.site._registry.get(apps.get_model(label))
    if model_admin is None:
        return  # not in the admin at all
    assert not model_admin.has_add_permission(admin_request)
    assert not model_admin.has_change_permission(admin_request)
    assert not model_admin.has_delete_permission(admin_request)

