"""The weekly summary outbox moves from feedback to reports, with its table (`feedback_weeklysummary`):
the model changes app in Django's state only, and its content type (so its permissions and admin log
entries) follows. Paired with feedback's 0004, which takes the model out of feedback's state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to_reports(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="reports", model="weeklysummary").exists():
        content_types.objects.filter(app_label="feedback", model="weeklysummary").update(app_label="reports")


def content_type_to_feedback(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="feedback", model="weeklysummary").exists():
        content_types.objects.filter(app_label="reports", model="weeklysummary").update(app_label="feedback")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0003_weekly_summary_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WeeklySummary",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("week", models.DateField(verbose_name="week (Monday)")),
                        ("state", models.CharField(choices=[("pending", "Pending"), ("sent", "Sent"),
                                                            ("failed", "Failed")],
                                                   default="pending", max_length=10, verbose_name="state")),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now,
                                                            verbose_name="created")),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                        related_name="+", to=settings.AUTH_USER_MODEL,
                                                        verbose_name="recipient")),
                    ],
                    options={
                        "verbose_name": "weekly summary",
                        "verbose_name_plural": "weekly summaries",
                        "db_table": "feedback_weeklysummary",
                        "ordering": ["-week", "recipient_id"],
                        "indexes": [models.Index(fields=["state", "week"], name="weekly_summary_state_idx")],
                        "constraints": [models.UniqueConstraint(fields=("recipient", "week"),
                                                                name="weekly_summary_once_per_week")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_reports, content_type_to_feedback),
    ]
