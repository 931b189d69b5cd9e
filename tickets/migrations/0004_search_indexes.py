"""Indexes for the agent's ticket search on PostgreSQL (trigram GIN over what icontains compares).

Django's `icontains` on PostgreSQL is `UPPER(col::text) LIKE UPPER('%term%')`; a pg_trgm GIN index
on exactly that expression answers it for terms of three characters or more. The indexes are raw
SQL (not model Meta indexes) because they need an extension and exist only on PostgreSQL; SQLite
runs the same queries without them. Model state is untouched, so makemigrations sees nothing.
"""

from django.db import migrations

INDEXES = {
    "ticket_subject_trgm_idx": "tickets_ticket USING gin (UPPER(subject::text) gin_trgm_ops)",
    "message_body_trgm_idx": "tickets_message USING gin (UPPER(body::text) gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_notificationlog")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
