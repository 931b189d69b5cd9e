"""People moved to the `accounts` app (issue #15): escalation's foreign keys name `accounts.team` now.

State only: the tables were renamed by tickets/0011 and the constraints follow the rename. This runs
before tickets/0012 forgets the old models.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("escalation", "0008_rating_changes"),
    ]
    run_before = [("tickets", "0012_people_moved_to_accounts")]

    state_operations = [
        migrations.AlterField(
            model_name="escalation",
            name="team",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                    to="accounts.team", verbose_name="team"),
        ),
        migrations.AlterField(
            model_name="teamcalendar",
            name="team",
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="calendar",
                                       to="accounts.team", verbose_name="team"),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
