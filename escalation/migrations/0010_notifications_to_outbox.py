"""Staff notification emails move to the outbox (`outbox.Delivery`): each notification gets its
delivery (recipient, state, attempts, error, sent time); those columns leave the table. Unsent rows are
sent by the outbox's sweep after the upgrade; rows whose eight attempts ran out are failed, visibly."""

from django.conf import settings
from django.db import migrations, models

from outbox.migration_helpers import copy_into_outbox

SELECT = """
    'escalation_notice', 'email', COALESCE(u.email, ''), '', COALESCE(t.reference, ''), NULL,
    CASE WHEN s.sent_at IS NOT NULL AND s.last_error = 'no email address' THEN 'cancelled'
         WHEN s.sent_at IS NOT NULL THEN 'sent'
         WHEN s.attempts >= 8 THEN 'failed'
         ELSE 'pending' END,
    s.created_at, NULL, s.attempts, s.last_error,
    CASE WHEN s.sent_at IS NOT NULL AND s.last_error = 'no email address' THEN 'no_email' ELSE '' END,
    '', CASE WHEN s.last_error = 'no email address' THEN NULL ELSE s.sent_at END, s.created_at
    FROM {notification} s JOIN {user} u ON u.id = s.recipient_id LEFT JOIN {ticket} t ON t.id = s.ticket_id
"""


def notifications_to_outbox(apps, schema_editor):
    q = schema_editor.connection.ops.quote_name
    notification = apps.get_model("escalation", "Notification")._meta.db_table
    tables = {
        "notification": q(notification),
        "user": q(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table),
        "ticket": q(apps.get_model("tickets", "Ticket")._meta.db_table),
    }
    copy_into_outbox(apps, schema_editor, source_table=notification, select=SELECT.format(**tables))


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("escalation", "0009_people_in_accounts"),
        ("outbox", "0001_initial"),
        ("tickets", "0012_people_moved_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="delivery",
            field=models.OneToOneField(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                       related_name="escalation_notification", to="outbox.delivery",
                                       verbose_name="email"),
        ),
        migrations.RunPython(notifications_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="notification", name="notif_unsent_idx"),
        migrations.RemoveField(model_name="notification", name="attempts"),
        migrations.RemoveField(model_name="notification", name="last_error"),
        migrations.RemoveField(model_name="notification", name="sent_at"),
    ]
