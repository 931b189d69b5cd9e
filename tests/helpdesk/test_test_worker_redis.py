"""Under `pytest -n`, each test worker process has its own Redis database (helpdesk/settings.py): the suite
flushes its cache database between tests, and workers sharing a Celery broker would take each other's tasks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import json; from django.conf import settings; "
        "print(json.dumps([settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION']]))")


def _settings_of_a_test_worker(redis_url: str, worker: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "CELERY_FILESYSTEM_BROKER_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="helpdesk.settings", DJANGO_TESTING="1", REDIS_URL=redis_url)
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_each_test_worker_uses_the_base_redis_database_plus_its_number():
    result = _settings_of_a_test_worker("redis://127.0.0.1:6379/10", "gw3")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["redis://127.0.0.1:6379/13"] * 3


def test_a_run_without_workers_uses_the_redis_database_it_names():
    result = _settings_of_a_test_worker("redis://127.0.0.1:6379/10", None)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["redis://127.0.0.1:6379/10"] * 3


def test_a_worker_past_redis_s_sixteen_databases_is_refused_with_the_reason():
    result = _settings_of_a_test_worker("redis://127.0.0.1:6379/14", "gw2")
    assert result.returncode != 0
    assert "database 16" in result.stderr and "fewer workers" in result.stderr
