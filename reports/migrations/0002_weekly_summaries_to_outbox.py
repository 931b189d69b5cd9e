"""The weekly summary emails move to the outbox (`outbox.Delivery`): each `WeeklySummary` gets its
delivery with its recipient's address, state, attempts, error and sent time; those columns leave the
table. Pending rows are sent once by the outbox's sweep after the upgrade; failed ones stay failed,
visibly, until staff send them again. Sent rows get the Message-ID they went out with (deterministic per
recipient and week, signed: `reports.services.summary_message_id`)."""

from django.conf import settings
from django.db import migrations, models

from outbox.migration_helpers import copy_into_outbox

SELECT = """
    'weekly_summary', 'email', COALESCE(u.email, ''), '', '', NULL,
    CASE s.state WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
    s.created_at, NULL, s.attempts, s.last_error, '', '', s.sent_at, s.created_at
    FROM {summary} s JOIN {user} u ON u.id = s.recipient_id
"""


def summaries_to_outbox(apps, schema_editor):
    q = schema_editor.connection.ops.quote_name
    Summary = apps.get_model("reports", "WeeklySummary")
    tables = {"summary": q(Summary._meta.db_table), "user": q(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)}
    copy_into_outbox(apps, schema_editor, source_table=Summary._meta.db_table, select=SELECT.format(**tables))
    _sent_message_ids(apps)


def _sent_message_ids(apps):
    """The Message-ID each sent summary carried (made from the secret key: not computable in SQL)."""
    from tickets.email_trust import desk_message_id

    Delivery = apps.get_model("outbox", "Delivery")
    sent = apps.get_model("reports", "WeeklySummary").objects.filter(delivery__state="sent").order_by("pk")
    batch = []
    for delivery_id, user_id, week in sent.values_list("delivery_id", "recipient_id", "week").iterator():
        batch.append(Delivery(pk=delivery_id, message_id=desk_message_id(f"week{user_id}-{week.isoformat()}")))
        if len(batch) == 500:
            Delivery.objects.bulk_update(batch, ["message_id"])
            batch = []
    Delivery.objects.bulk_update(batch, ["message_id"])


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("outbox", "0001_initial"),
        ("reports", "0001_weekly_summary_from_feedback"),
    ]

    operations = [
        migrations.AddField(
            model_name="weeklysummary",
            name="delivery",
            field=models.OneToOneField(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                       related_name="weekly_summary", to="outbox.delivery", verbose_name="email"),
        ),
        migrations.RunPython(summaries_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="weeklysummary", name="weekly_summary_state_idx"),
        migrations.RemoveField(model_name="weeklysummary", name="attempts"),
        migrations.RemoveField(model_name="weeklysummary", name="last_error"),
        migrations.RemoveField(model_name="weeklysummary", name="sent_at"),
        migrations.RemoveField(model_name="weeklysummary", name="state"),
    ]
