"""The English placeholders email intake stored ("(no subject)", "(no text)", "(attachments only)") go: a
subject is taken from what the customer wrote (as `email_intake` now does), an empty text stays empty and is
said in the reader's language when shown (a reply's by its phrase)."""

from django.db import migrations

NO_SUBJECT = "(no subject)"
EMPTY_TEXTS = {"(no text)": "tickets.email.no_text", "(attachments only)": "tickets.email.attachments_only"}
SUBJECT_FROM_TEXT_LENGTH = 80


def _subject_from(ticket, names: list[str]) -> str:
    text = "" if ticket.description in EMPTY_TEXTS else ticket.description
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) > SUBJECT_FROM_TEXT_LENGTH:
        first_line = first_line[:SUBJECT_FROM_TEXT_LENGTH].rsplit(" ", 1)[0].rstrip() + " …"
    return (first_line or ", ".join(names) or ticket.customer.name or ticket.customer.email)[:200]


def forward(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Attachment = apps.get_model("tickets", "Attachment")
    Message = apps.get_model("tickets", "Message")
    for ticket in Ticket.objects.filter(subject=NO_SUBJECT).select_related("customer").iterator():
        names = list(Attachment.objects.filter(ticket_id=ticket.pk, message__isnull=True)
                     .order_by("pk").values_list("filename", flat=True))
        Ticket.objects.filter(pk=ticket.pk).update(subject=_subject_from(ticket, names))
    Ticket.objects.filter(description__in=list(EMPTY_TEXTS)).update(description="")
    for text, code in EMPTY_TEXTS.items():
        Message.objects.filter(body=text, phrase__isnull=True).update(body="", phrase={"code": code, "params": {}})


def backward(apps, schema_editor):
    Message = apps.get_model("tickets", "Message")
    for text, code in EMPTY_TEXTS.items():
        Message.objects.filter(body="", phrase__code=code).update(body=text, phrase=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_search_document_customer"),
    ]

    operations = [migrations.RunPython(forward, backward)]
