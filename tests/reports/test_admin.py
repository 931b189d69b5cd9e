"""The weekly summaries in the admin: rows the beat task writes with their deliveries, shown view-only with
their email's state, and the list costs a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services
from reports.models import WeeklySummary
from tests import factories
from tests.admin_forms import change_url, changelist_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _summaries(n: int, recipient) -> list[WeeklySummary]:
    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(n)]
    for week in weeks:
        services.weekly_summaries_schedule(week_start=week, user_ids=[recipient.pk])
    return list(WeeklySummary.objects.filter(recipient=recipient, week__in=weeks).order_by("week"))


def test_a_weekly_summary_cannot_be_changed_added_or_deleted_in_the_admin(admin_client, supervisor):
    summary = _summaries(1, supervisor)[0]
    page = admin_client.get(change_url(summary))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    email_state = f'{reverse("admin:outbox_delivery_change", args=[summary.delivery_id])}">Waiting</a>'
    assert email_state in page.content.decode()
    assert admin_client.post(change_url(summary), {"_save": "Save"}).status_code == 403
    assert admin_client.get(reverse("admin:reports_weeklysummary_add")).status_code == 403
    assert admin_client.post(reverse("admin:reports_weeklysummary_delete", args=[summary.pk]),
                             {"post": "yes"}).status_code == 403
    assert WeeklySummary.objects.filter(pk=summary.pk).exists()


def test_the_weekly_summary_list_costs_the_same_queries_for_more_rows(admin_client, team, supervisor,
                                                                     django_assert_max_num_queries):
    _summaries(2, supervisor)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(changelist_url(WeeklySummary)).status_code == 200
    _summaries(5, factories.supervisor_of(team))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(changelist_url(WeeklySummary))
