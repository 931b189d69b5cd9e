"""The weekly summary outbox moved from feedback to reports with its table: the rows written before the move
are the reports' rows after it, and the model's content type (its permissions) follows."""

import datetime as dt

from reports.models import WeeklySummary
from tests import factories
from tests.migration_walk import old_schema

BEFORE = [("reports", None), ("feedback", "0003_weekly_summary_outbox")]


def test_rows_and_content_type_of_the_outbox_move_to_reports(transactional_db):
    with old_schema(BEFORE) as old:
        supervisor = factories.user_with_role("supervisor")
        old.get_model("feedback", "WeeklySummary").objects.create(recipient_id=supervisor.pk,
                                                                   week=dt.date(2026, 11, 23), state="sent",
                                                                   attempts=1)
        content_types = old.get_model("contenttypes", "ContentType")
        content_types.objects.filter(model="weeklysummary").delete()
        moved = content_types.objects.create(app_label="feedback", model="weeklysummary")
    row = WeeklySummary.objects.select_related("delivery").get()  # its email since moved to the outbox
    assert (row.recipient_id, row.week, row.delivery.state, row.delivery.attempts) == (
        supervisor.pk, dt.date(2026, 11, 23), "sent", 1)
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.get(pk=moved.pk).app_label == "reports"
