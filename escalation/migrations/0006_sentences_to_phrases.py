"""The English sentences the desk stored become phrases (a code and its parameters, `helpdesk.phrases`).

Escalations' reasons and routing explanations, their history rows, their notifications, and the rows the
escalation app wrote on tickets (remedy and guidance notes, the reason of a service-recovery reopening). A
sentence that is not one the desk composed (what a person typed, or text in another language) stays as it
is: shown as typed. Backwards, the phrases are written out again as English sentences.
"""

from django.db import migrations

BATCH = 500


def _apply(queryset, fields, change) -> None:
    """Run `change(row)` over every row (in batches) and write back the rows it changed."""
    model = queryset.model
    pending = []
    for row in queryset.order_by("pk").iterator(chunk_size=BATCH):
        if change(row):
            pending.append(row)
        if len(pending) >= BATCH:
            model.objects.bulk_update(pending, fields)
            pending = []
    if pending:
        model.objects.bulk_update(pending, fields)


def forward(apps, schema_editor):
    from escalation.migrations import _english as english

    def escalation(row):
        said = english.reason(row.reason_text) if row.reason_text else None
        if said is not None:
            row.reason_phrase, row.reason_text = said, ""
        row.routing = english.routing(row.routing_explanation) or row.routing_explanation or None
        return True

    def event(row):
        if not row.note:
            return False
        if row.kind == "raised":
            said, typed = english.reason(row.note), ""
            if said is None:
                return False
        elif row.kind == "fired_again":
            found = english.fired_again(row.note)
            if found is None:
                return False
            said, typed = found
        elif row.kind in ("routed", "tier_up", "reassigned"):
            said, typed = english.routing(row.note), ""
            if said is None:
                return False
        elif row.kind in ("remedy_approved", "remedy_denied", "resolved"):
            found = english.remedy_note(row.note)
            if found is None:
                return False
            said, typed = found
        else:
            return False
        row.phrase, row.note = said, typed
        return True

    def notification(row):
        found = english.notification(row.text) if row.text and row.kind != "coached" else None
        if found is None:
            return False
        row.phrase, row.text = found
        return True

    def ticket_event(row):
        said = english.ticket_reason(row.reason)
        if said is None:
            return False
        row.reason_phrase, row.reason = said, ""
        return True

    def note(row):
        found = english.remedy_note(row.body) or english.guidance_note(row.body)
        if found is None:
            return False
        row.phrase, row.body = found
        return True

    Escalation = apps.get_model("escalation", "Escalation")
    _apply(Escalation.objects.all(), ["reason_phrase", "reason_text", "routing"], escalation)
    _apply(apps.get_model("escalation", "EscalationEvent").objects.exclude(note=""), ["phrase", "note"], event)
    _apply(apps.get_model("escalation", "Notification").objects.exclude(text=""), ["phrase", "text"], notification)
    _apply(apps.get_model("tickets", "TicketEvent").objects.filter(reason__startswith="Service recovery: rated"),
           ["reason_phrase", "reason"], ticket_event)
    notes = apps.get_model("tickets", "Message").objects.filter(kind="note", phrase__isnull=True)
    _apply(notes.filter(body__startswith="Remedy ") | notes.filter(body__startswith="Escalation returned with "),
           ["phrase", "body"], note)


def backward(apps, schema_editor):
    from django.utils import translation

    from helpdesk.phrases import join, render

    def written(said, typed=""):
        return render(join(said, typed))

    def escalation(row):
        row.routing_explanation = written(row.routing)
        row.reason_text, row.reason_phrase = written(row.reason_phrase, row.reason_text), None
        return True

    def with_phrase(field):
        def change(row):
            setattr(row, field, written(row.phrase, getattr(row, field)))
            row.phrase = None
            return True
        return change

    def ticket_event(row):
        row.reason, row.reason_phrase = written(row.reason_phrase, row.reason)[:500], None
        return True

    with translation.override("en"):
        _apply(apps.get_model("escalation", "Escalation").objects.all(),
               ["routing_explanation", "reason_text", "reason_phrase"], escalation)
        _apply(apps.get_model("escalation", "EscalationEvent").objects.filter(phrase__isnull=False),
               ["note", "phrase"], with_phrase("note"))
        _apply(apps.get_model("escalation", "Notification").objects.filter(phrase__isnull=False),
               ["text", "phrase"], with_phrase("text"))
        # In the tickets' tables only the sentences this migration made phrases: the tickets' own phrases
        # (tickets 0008, 0010) stay, as the way forward again would not make them phrases a second time.
        _apply(apps.get_model("tickets", "TicketEvent").objects.filter(reason_phrase__code__startswith="escalation."),
               ["reason", "reason_phrase"], ticket_event)
        _apply(apps.get_model("tickets", "Message").objects.filter(phrase__code__startswith="escalation."),
               ["body", "phrase"], with_phrase("body"))


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0005_phrases"),
        ("tickets", "0007_phrases"),
    ]

    operations = [migrations.RunPython(forward, backward)]
