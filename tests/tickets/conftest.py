import pytest

from tests.tickets.fresh_install import migrate


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A desk that only `migrate` has seen (tests/tickets/fresh_install.py): migrated once for the test process,
    shared by the modules that pipe email into a fresh install; work on a copy (`copy_of`), never on it."""
    return migrate(tmp_path_factory.mktemp("migrated") / "desk.sqlite3")
