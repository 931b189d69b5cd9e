"""Project-wide pytest set-up: service detection, the CI rule against skipping, shared fixtures."""

import os

import pytest
from django.conf import settings
from django.db import connection

IN_CI = bool(os.environ.get("CI"))


def _skip_or_fail(reason: str) -> None:
    """Locally, a test whose service is absent skips; under CI that is a failure, never a pass."""
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        _skip_or_fail("needs Redis (set REDIS_URL=redis://...)")


@pytest.fixture
def skip_or_fail():
    return _skip_or_fail


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def latest_schema_after(transactional_db):
    """For tests that migrate backwards: every app's latest migration is applied again afterwards, also
    when the test fails, so the tests after it see the current schema."""
    from django.db.migrations.executor import MigrationExecutor

    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the configured broker: filesystem or Redis."""
    from celery.contrib.testing.worker import start_worker

    from helpdesk.celery import app

    app.control.purge()  # tasks left by earlier tests name rows that no longer exist
    from outbox.services import kicks_forget

    kicks_forget()  # a kick purged above must not hold back this test's kicks
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING") as worker:
        yield worker


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the desk's default language. A request through the test client
    activates the user's language in the test's own thread and nothing resets it; with sentences rendered
    when they are read (helpdesk.phrases), an Estonian request would otherwise make the next test read
    Estonian."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
