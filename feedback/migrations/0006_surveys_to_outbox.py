"""The survey emails move to the outbox (`outbox.Delivery`): each survey and relationship survey that
was (or is to be) emailed gets its delivery row with its due time, attempts, error, Message-ID and sent
time; those columns leave the survey tables. Pending rows keep their due time and are sent by the
outbox's sweep after the upgrade; `sending` (a claim of the old code) becomes scheduled again, or, if
the mail server had accepted it (its Message-ID was written), a claim the outbox finishes without
sending it again."""

from django.db import migrations, models

from outbox.migration_helpers import copy_into_outbox

SURVEY = """
    'survey', 'email', COALESCE(c.email, ''), s.language, COALESCE(t.reference, ''), NULL,
    CASE WHEN s.state = 'scheduled' THEN 'pending'
         WHEN s.state = 'sending' AND s.message_id = '' THEN 'pending'
         WHEN s.state = 'sending' THEN 'sending'
         WHEN s.state = 'failed' THEN 'failed'
         WHEN s.sent_at IS NULL THEN 'cancelled'
         ELSE 'sent' END,
    s.due_at,
    CASE WHEN s.state = 'sending' AND s.message_id <> '' THEN s.claimed_at ELSE NULL END,
    s.attempts, s.last_error,
    CASE WHEN s.state IN ('scheduled', 'sending', 'failed') OR s.sent_at IS NOT NULL THEN '' ELSE 'answered' END,
    CASE WHEN s.state = 'scheduled' OR (s.state = 'sending' AND s.message_id = '') THEN '' ELSE s.message_id END,
    CASE WHEN s.state = 'sending' AND s.message_id <> '' THEN COALESCE(s.sent_at, s.claimed_at, s.due_at)
         ELSE s.sent_at END,
    s.created_at
    FROM {survey} s JOIN {customer} c ON c.id = s.customer_id JOIN {ticket} t ON t.id = s.ticket_id
"""

RELATIONSHIP = """
    'relationship_survey', 'email', COALESCE(c.email, ''), s.language, '', NULL,
    CASE WHEN s.state = 'scheduled' THEN 'pending' WHEN s.state = 'failed' THEN 'failed'
         WHEN s.sent_at IS NULL THEN 'cancelled' ELSE 'sent' END,
    s.due_at, NULL, s.attempts, s.last_error,
    CASE WHEN s.state IN ('scheduled', 'failed') OR s.sent_at IS NOT NULL THEN '' ELSE 'gone' END,
    CASE WHEN s.state = 'scheduled' THEN '' ELSE s.message_id END, s.sent_at, s.created_at
    FROM {relationship} s JOIN {customer} c ON c.id = s.customer_id
"""


def surveys_to_outbox(apps, schema_editor):
    q = schema_editor.connection.ops.quote_name
    tables = {
        name: q(apps.get_model(app, model)._meta.db_table)
        for name, app, model in (("survey", "feedback", "Survey"), ("relationship", "feedback", "RelationshipSurvey"),
                                 ("customer", "accounts", "Customer"), ("ticket", "tickets", "Ticket"))
    }
    Survey = apps.get_model("feedback", "Survey")
    copy_into_outbox(apps, schema_editor, source_table=Survey._meta.db_table, select=SURVEY.format(**tables),
                     where="s.state <> 'skipped'")
    copy_into_outbox(apps, schema_editor, source_table=apps.get_model("feedback", "RelationshipSurvey")._meta.db_table,
                     select=RELATIONSHIP.format(**tables))
    Survey.objects.filter(state="sending").update(state="scheduled")


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0005_weekly_summary_to_reports"),
        ("outbox", "0001_initial"),
        ("tickets", "0012_people_moved_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="relationshipsurvey",
            name="delivery",
            field=models.OneToOneField(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                       related_name="relationship_survey", to="outbox.delivery", verbose_name="email"),
        ),
        migrations.AddField(
            model_name="survey",
            name="delivery",
            field=models.OneToOneField(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                       related_name="survey", to="outbox.delivery", verbose_name="email"),
        ),
        migrations.RunPython(surveys_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="relationshipsurvey", name="relsurvey_state_due_idx"),
        migrations.RemoveIndex(model_name="survey", name="survey_due_idx"),
        migrations.RemoveField(model_name="relationshipsurvey", name="attempts"),
        migrations.RemoveField(model_name="relationshipsurvey", name="due_at"),
        migrations.RemoveField(model_name="relationshipsurvey", name="last_error"),
        migrations.RemoveField(model_name="relationshipsurvey", name="message_id"),
        migrations.RemoveField(model_name="survey", name="attempts"),
        migrations.RemoveField(model_name="survey", name="claimed_at"),
        migrations.RemoveField(model_name="survey", name="due_at"),
        migrations.RemoveField(model_name="survey", name="last_error"),
        migrations.RemoveField(model_name="survey", name="message_id"),
        migrations.AlterField(
            model_name="survey",
            name="state",
            field=models.CharField(choices=[("scheduled", "Scheduled"), ("sent", "Sent"), ("answered", "Answered"),
                                            ("failed", "Failed"), ("expired", "Expired"), ("skipped", "Skipped")],
                                   default="scheduled", max_length=10, verbose_name="state"),
        ),
    ]
