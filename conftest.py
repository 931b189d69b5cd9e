"""Project-wide pytest set-up: service detection, the CI rule against skipping, shared fixtures."""

import inspect
import os
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

IN_CI = bool(os.environ.get("CI"))


def _file_backed_sqlite_test_database() -> None:
    """Tests run threads on the database at once: the test, a real Celery worker (`celery_worker`) and, in
    the browser journeys, the live server. Django's default SQLite test database lives in memory with a
    shared cache, whose table locks do not wait ("database table is locked"); a file with WAL and the busy
    timeout of settings.py does. So for every run, whichever tests it collects: one file per pytest process
    (other runs, and pytest-xdist's workers, share the work tree), removed by Django at the end. It is a
    throwaway: kept in memory-backed /dev/shm where there is one, and never synced to disk. PostgreSQL (CI)
    is left alone."""
    import tempfile

    database = settings.DATABASES["default"]
    test_settings = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" and not test_settings.get("NAME"):
        shm = "/dev/shm"  # noqa: S108 - a throwaway test database, named by our own process id
        folder = Path(shm) if os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
        test_settings["NAME"] = str(folder / f"delightdesk-test-{os.getpid()}.sqlite3")
        options = database.setdefault("OPTIONS", {})
        options["init_command"] = options.get("init_command", "") + "PRAGMA synchronous=OFF;"


_file_backed_sqlite_test_database()


def pytest_unconfigure(config):
    """The filesystem-broker folder that helpdesk/settings.py made for this run (named after this process, the
    workers' folders inside it) goes with the run. A folder named in the environment by the user is kept."""
    import shutil

    folder = os.environ.get("CELERY_FILESYSTEM_BROKER_DIR", "")
    if folder and Path(folder) == Path(settings.VAR_DIR) / "test-runs" / str(os.getpid()):
        shutil.rmtree(folder, ignore_errors=True)


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


@pytest.fixture(scope="session")
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


# --- Parallel runs (`make test` runs `pytest -n auto --dist loadgroup`, pytest-xdist) ------------------
# Tests that share an expensive fixture run on one worker, so it is built once: `make run`'s desk
# (shipped_desk), Chromium (browser: one group, or one per two workers, split by module), a session-scoped
# fixture of the suite (the fixture is the group) or a module-scoped one (its module is the group). The
# groups are handed out first, the slowest kinds first, so that no long group starts last; the other tests
# fill in around them.
TESTS_DIR = Path(__file__).resolve().parent / "tests"
SHIPPED, BROWSER = "shipped_desk", "browser"


def _module_of(item) -> str:
    return item.nodeid.split("::", 1)[0]


def _shared_fixture_group(item, browser_groups: int) -> str | None:
    names = item.fixturenames
    if SHIPPED in names:
        return SHIPPED
    if BROWSER in names:
        module = _module_of(item)
        return f"{BROWSER}-{zlib.crc32(module.encode()) % browser_groups}"
    scopes = {fixture.scope: name for name, fixture in _suite_fixtures(item) if fixture.scope != "function"}
    if "session" in scopes:  # shared by several modules (e.g. tests/tickets' migrated_database): one group
        return scopes["session"]
    if scopes:
        return _module_of(item)
    return None


def _suite_fixtures(item):
    """The fixtures a test uses that the suite itself defines (not pytest's or a plugin's)."""
    definitions = getattr(item, "_fixtureinfo", None)
    for name in item.fixturenames:
        fixturedef = (definitions.name2fixturedefs.get(name) or [None])[-1] if definitions else None
        source = inspect.getsourcefile(fixturedef.func) if fixturedef is not None else None
        if source and Path(source).resolve().is_relative_to(TESTS_DIR):
            yield name, fixturedef


def _group_rank(item) -> int:
    group = next((mark.args[0] for mark in item.iter_markers("xdist_group")), None)
    if group is None:
        return 3
    return 0 if group == SHIPPED else 1 if group.startswith(BROWSER) else 2


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    worker = getattr(config, "workerinput", None)  # set in an xdist worker: they all collect the same
    if worker is not None:
        browser_groups = max(1, int(worker["workercount"]) // 2)
        for item in items:
            group = _shared_fixture_group(item, browser_groups)
            if group:
                item.add_marker(pytest.mark.xdist_group(group))
    result = yield  # the other hooks: pytest-django's order, the browser marker, xdist's group suffix
    if worker is not None:
        for item in items:
            _tell_the_scheduler_its_group(item)
        items.sort(key=_group_rank)  # stable: the order within each rank is kept
    return result


def _tell_the_scheduler_its_group(item) -> None:
    """pytest-xdist tells the scheduler (in the controlling process) a test's group by suffixing its node id
    with "@group". Its suffix is written where pytest before 9.2 kept the id; since 9.2 (structured node ids)
    it no longer takes and `--dist loadgroup` silently groups nothing (pytest-xdist issue 1386). Until a
    release fixes it, the suffix is put on the structured id here, as the proposed fix does."""
    groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                     for mark in item.iter_markers("xdist_group")})
    suffix = "@" + "_".join(groups)
    if not groups or item.nodeid.endswith(suffix):  # ungrouped, or xdist's own suffix took
        return
    structured = getattr(item, "_id", None)
    if structured is not None and hasattr(type(structured), "parse"):
        item._id = type(structured).parse(item.nodeid + suffix)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown when it is not installed or disabled
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker per core, but no more than the Redis databases left above REDIS_URL's (each
    worker takes the next one, helpdesk/settings.py)."""
    if not settings.REDIS_URL:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    base = int(urlsplit(settings.REDIS_URL).path.strip("/") or 0)
    return max(1, min(cores, 16 - base))
