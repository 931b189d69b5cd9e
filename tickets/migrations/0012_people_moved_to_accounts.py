"""People move to the `accounts` app (issue #15): tickets' foreign keys now name `accounts.*`, and tickets
forgets the models. State only: the tables (renamed in 0011) and the constraints stay as they are.

feedback and escalation repoint their own foreign keys before this runs (their migrations say `run_before`
this one, so tickets needs to know nothing of them).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tickets", "0011_people_tables_renamed"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="message",
            name="author_customer",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="messages", to="accounts.customer"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="tickets",
                                    to="accounts.customer", verbose_name="customer"),
        ),
        migrations.AlterField(
            model_name="queue",
            name="team",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="queues",
                                    to="accounts.team", verbose_name="team"),
        ),
        migrations.AlterField(
            model_name="macro",
            name="team",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="macros", to="accounts.team", verbose_name="team"),
        ),
        migrations.RemoveField(model_name="membership", name="team"),
        migrations.RemoveField(model_name="membership", name="user"),
        migrations.RemoveField(model_name="team", name="members"),
        migrations.RemoveField(model_name="profile", name="user"),
        migrations.DeleteModel(name="Customer"),
        migrations.DeleteModel(name="Membership"),
        migrations.DeleteModel(name="Profile"),
        migrations.DeleteModel(name="Team"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
