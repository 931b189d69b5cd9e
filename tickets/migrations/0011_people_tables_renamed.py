"""People move to the `accounts` app (issue #15): first their tables take the new app's names.

Only the tables are renamed here (foreign keys in other tables follow the rename on PostgreSQL and on
SQLite >= 3.26); accounts/0001 then takes the models over in Django's state, and tickets/0012 lets go of them.
No row is copied.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_email_placeholders_to_phrases")]

    operations = [
        migrations.AlterModelTable(name="profile", table="accounts_profile"),
        migrations.AlterModelTable(name="team", table="accounts_team"),
        migrations.AlterModelTable(name="membership", table="accounts_membership"),
        migrations.AlterModelTable(name="customer", table="accounts_customer"),
    ]
