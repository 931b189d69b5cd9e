"""The weekly summary outbox now belongs to the reports app (reports/0001 takes it over with its table):
feedback forgets the model in Django's state only; the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0004_people_in_accounts"),
        ("reports", "0001_weekly_summary_from_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WeeklySummary")],
            database_operations=[],
        ),
    ]
