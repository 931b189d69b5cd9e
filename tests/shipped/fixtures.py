"""Fixtures that start the desk as shipped; imported by tests/conftest.py, so that any test that needs
the desk as a new user gets it can ask for it (tests/shipped/, a first-run browser journey in tests/e2e/).

`shipped_desk`: one desk for the whole session, started by `make run` in a fresh copy of the tree on a
free port, with SURVEY_DELAY_SECONDS=2 so that a resolved ticket's survey goes out at once. It runs on
SQLite and the filesystem broker, or on a fresh PostgreSQL database and a throwaway Redis when this run
has DATABASE_URL and REDIS_URL (as under `.ci/run`). See tests/shipped/desk.py for what it offers:
`url`, `absolute(path)`, `wait_for_mail(to=..., containing=...)`, `manage(...)`, `log()`, `interrupt()`.
"""

import os

import pytest

from tests.shipped.desk import Backing, MakeRunDesk, fresh_copy, missing_tools


def skip_or_fail(reason: str) -> None:
    """The suite's rule: a missing tool skips locally and fails under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must not skip: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _make_run_desk(tmp_path_factory):
    reason = missing_tools()
    if reason:
        skip_or_fail(reason)
    root = fresh_copy(tmp_path_factory.mktemp("shipped-desk"))
    backing = Backing.like_this_run(root)
    desk = MakeRunDesk(root, backing, SURVEY_DELAY_SECONDS="2")
    try:
        desk.start()
        yield desk
    finally:
        desk.stop()
        backing.close()


@pytest.fixture
def shipped_desk(_make_run_desk):
    """The session's desk, running: a test that stopped it (Ctrl-C) leaves it to be started again here, only
    when another test needs it."""
    if not _make_run_desk.running:
        _make_run_desk.start()
    return _make_run_desk
