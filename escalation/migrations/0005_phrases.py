"""Composed sentences become phrases (codes and parameters): the new columns. 0006 fills them, 0007 drops the old."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('escalation', '0004_rating_follow_up_low_rating_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='escalation',
            name='reason_phrase',
            field=models.JSONField(blank=True, null=True, verbose_name='reason (composed)'),
        ),
        migrations.AddField(
            model_name='escalation',
            name='routing',
            field=models.JSONField(blank=True, null=True, verbose_name='routing'),
        ),
        migrations.AddField(
            model_name='escalationevent',
            name='phrase',
            field=models.JSONField(blank=True, null=True, verbose_name='what happened'),
        ),
        migrations.AddField(
            model_name='notification',
            name='phrase',
            field=models.JSONField(blank=True, null=True),
        ),
    ]
