"""The routing explanation now lives in `Escalation.routing` (a phrase); the English column goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0006_sentences_to_phrases"),
    ]

    operations = [
        migrations.RemoveField(model_name="escalation", name="routing_explanation"),
    ]
