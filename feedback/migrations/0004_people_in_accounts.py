"""People moved to the `accounts` app (issue #15): feedback's foreign keys name `accounts.*` now.

State only: the tables were renamed by tickets/0011 and the constraints follow the rename. This runs
before tickets/0012 forgets the old models.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("feedback", "0003_weekly_summary_outbox"),
    ]
    run_before = [("tickets", "0012_people_moved_to_accounts")]

    state_operations = [
        migrations.AlterField(
            model_name="npsresponse",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="nps_responses",
                                    to="accounts.customer", verbose_name="customer"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="ratings",
                                    to="accounts.customer", verbose_name="customer"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="team",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="accounts.team", verbose_name="team"),
        ),
        migrations.AlterField(
            model_name="relationshipsurvey",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="relationship_surveys",
                                    to="accounts.customer", verbose_name="customer"),
        ),
        migrations.AlterField(
            model_name="survey",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="surveys",
                                    to="accounts.customer", verbose_name="customer"),
        ),
        migrations.AlterField(
            model_name="wowstory",
            name="team",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="wow_stories", to="accounts.team", verbose_name="team"),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
