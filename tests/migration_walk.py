"""Walking the migrations back and forward, for the tests of data migrations.

A walk is slow (seconds: Django re-renders the historical models at every migration it passes), so a module
walks once for all its tests where it can: a module-scoped fixture writes every test's rows in the old schema,
migrates forward and yields the rows' ids; each test then only asserts, in its own transaction (`db`):

    @pytest.fixture(scope="module")
    def upgraded(django_db_setup, django_db_blocker):
        with rows_written_in(BEFORE, _write_rows, django_db_blocker) as ids:
            yield ids
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


def latest() -> list[tuple[str, str]]:
    """Every app's last migration: the schema the rest of the suite expects."""
    return MigrationLoader(connection, ignore_no_migrations=True).graph.leaf_nodes()


def migrate(targets) -> Apps:
    """Migrate to `targets` (`(app, migration)`, or `(app, None)` to unapply an app); the historical models of
    every migration then applied, so that any app's model can be had as it was."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(tuple(loader.applied_migrations)).apps


@contextmanager
def old_schema(targets) -> Iterator[Apps]:
    """The database migrated back to `targets` for the body, which gets the historical models; forward to the
    latest migrations afterwards, also when the body fails, so that the tests after it find the current schema."""
    try:
        yield migrate(targets)
    finally:
        MigrationExecutor(connection).migrate(latest())


@contextmanager
def committed_rows(django_db_blocker) -> Iterator[None]:
    """Around a module-scoped walk: its rows are committed outside any test's transaction, so the database is
    flushed when the module is done (or at once, when the walk fails) and the tests after it start empty."""
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@contextmanager
def rows_written_in(targets, write, django_db_blocker) -> Iterator:
    """The one walk of a module: back to `targets`, `write(historical_apps)` there, forward to the latest;
    gives what `write` returned, and flushes the committed rows when the module is done."""
    with committed_rows(django_db_blocker):
        with django_db_blocker.unblock(), old_schema(targets) as old:
            written = write(old)
        yield written
