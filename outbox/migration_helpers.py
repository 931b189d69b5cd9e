"""For the apps' data migrations that move their own send bookkeeping into the outbox (one statement
per table whatever its size, on SQLite and PostgreSQL alike).

Each source row gets the delivery whose id is the row's id plus an offset above every delivery id in
use; the source row then points to it. Nothing here imports a model: migrations pass table names.
"""

from django.core.management.color import no_style

COLUMNS = (
    "id", "kind", "transport", "recipient", "language", "reference", "object_id", "state", "due_at", "claimed_at",
    "attempts", "last_error", "cancel_reason", "message_id", "sent_at", "created_at",
)  # fmt: skip


def copy_into_outbox(apps, schema_editor, *, source_table: str, select: str, where: str = "1 = 1") -> None:
    """`select` lists the values of COLUMNS after `id` for the source row aliased `s`, followed by its
    FROM clause (`FROM source s JOIN ...`); the statement is `SELECT s.id + offset, <select> WHERE <where>`,
    run with a parameter: a literal % is written %%."""
    connection = schema_editor.connection
    delivery = apps.get_model("outbox", "Delivery")
    q = connection.ops.quote_name
    table, source = q(delivery._meta.db_table), q(source_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model identifiers
        offset = cursor.fetchone()[0]
        columns = ", ".join(q(column) for column in COLUMNS)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT s.id + %s, {select} WHERE {where}", [offset])
        cursor.execute(
            f"UPDATE {source} SET delivery_id = id + %s "  # noqa: S608
            f"WHERE EXISTS (SELECT 1 FROM {table} d WHERE d.id = {source}.id + %s)",
            [offset, offset],
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [delivery]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # The new foreign keys are checked at commit; their pending checks would forbid the ALTER
            # TABLEs that follow in the same migration ("pending trigger events"): check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
