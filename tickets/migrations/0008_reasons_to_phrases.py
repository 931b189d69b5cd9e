"""The timeline reasons the tickets app wrote in English become phrases (`tickets.phrases`); others stay typed."""

from django.db import migrations

REASONS = {
    "customer replied": "tickets.reason.customer_replied",
    "closed automatically after being resolved": "tickets.reason.closed_automatically",
}


def forward(apps, schema_editor):
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    for text, code in REASONS.items():
        TicketEvent.objects.filter(reason=text, reason_phrase__isnull=True).update(
            reason="", reason_phrase={"code": code, "params": {}})


def backward(apps, schema_editor):
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    for text, code in REASONS.items():
        TicketEvent.objects.filter(reason_phrase__code=code).update(reason=text, reason_phrase=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_phrases"),
    ]

    operations = [migrations.RunPython(forward, backward)]
