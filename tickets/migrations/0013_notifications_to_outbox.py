"""The notification emails move to the outbox (`outbox.Delivery`): each `NotificationLog` row gets its
delivery with its recipient, state, attempts, error, Message-ID and sent time; those columns leave the
table. Pending rows are sent by the outbox's sweep after the upgrade; skipped ones are cancelled with
the reason's code (the old text stays as the error)."""

from django.db import migrations, models

from outbox.migration_helpers import copy_into_outbox

SELECT = """
    s.kind, 'email', s.recipient, '', COALESCE(t.reference, ''), NULL,
    CASE s.state WHEN 'pending' THEN 'pending' WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed'
         ELSE 'cancelled' END,
    s.created_at, NULL, s.attempts, s.last_error,
    CASE WHEN s.state <> 'skipped' THEN ''
         WHEN s.last_error LIKE 'held for review%%' THEN 'held_for_review'
         WHEN s.last_error LIKE 'more than%%' THEN 'too_many_confirmations'
         WHEN s.last_error LIKE 'not a public%%' THEN 'not_a_public_reply'
         WHEN s.last_error LIKE 'not a customer%%' THEN 'not_a_customer_reply'
         ELSE 'no_email' END,
    s.email_message_id, s.sent_at, s.created_at
    FROM {log} s JOIN {ticket} t ON t.id = s.ticket_id
"""


def notifications_to_outbox(apps, schema_editor):
    q = schema_editor.connection.ops.quote_name
    log = apps.get_model("tickets", "NotificationLog")._meta.db_table
    ticket = apps.get_model("tickets", "Ticket")._meta.db_table
    copy_into_outbox(apps, schema_editor, source_table=log, select=SELECT.format(log=q(log), ticket=q(ticket)))


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0001_initial"),
        ("tickets", "0012_people_moved_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationlog",
            name="delivery",
            field=models.OneToOneField(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                       related_name="notification_log", to="outbox.delivery", verbose_name="email"),
        ),
        migrations.RunPython(notifications_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="notificationlog", name="notification_state_idx"),
        migrations.RemoveField(model_name="notificationlog", name="attempts"),
        migrations.RemoveField(model_name="notificationlog", name="email_message_id"),
        migrations.RemoveField(model_name="notificationlog", name="last_error"),
        migrations.RemoveField(model_name="notificationlog", name="recipient"),
        migrations.RemoveField(model_name="notificationlog", name="sent_at"),
        migrations.RemoveField(model_name="notificationlog", name="state"),
    ]
