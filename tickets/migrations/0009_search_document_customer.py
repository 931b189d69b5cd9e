"""Agents search tickets by the customer's name and email: both become the first lines of every
existing ticket's search document (new tickets get them from `tickets.services.search`), so the
one trigram-indexed LIKE of `tickets.filters.search_condition` finds them.

One UPDATE per customer (`prefix || search_document`), the documents themselves are not read.
Reversing leaves the prefix in place: extra words in a search document are harmless.
"""

from django.db import migrations

BATCH = 2000


def _document(*parts: str) -> str:
    # Frozen copy of tickets.services.search.search_document (a migration must not import it).
    return "\n".join(part for part in parts if part).casefold()


def prefix_customer(apps, schema_editor):
    Customer = apps.get_model("tickets", "Customer")
    connection = schema_editor.connection
    last = 0
    while True:
        customers = list(Customer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "email")[:BATCH])
        if not customers:
            break
        rows = [(_document(name, email) + "\n", pk) for pk, name, email in customers]
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE tickets_ticket SET search_document = %s || search_document WHERE customer_id = %s", rows
            )
        last = customers[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0008_reasons_to_phrases"),
    ]

    operations = [
        migrations.RunPython(prefix_customer, migrations.RunPython.noop, elidable=False),
    ]
