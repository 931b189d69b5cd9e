"""Desk-composed timeline reasons and notes become phrases (codes and parameters): the new columns."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0006_inbound_email_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='phrase',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='reason_phrase',
            field=models.JSONField(blank=True, null=True),
        ),
    ]
