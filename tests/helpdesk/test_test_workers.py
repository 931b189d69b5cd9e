"""Under `pytest -n` (pytest-xdist), each test worker process has its own Redis database and its own
filesystem-broker folder (helpdesk/settings.py): the suite flushes its cache database between tests, and
workers sharing a Celery broker would take (or purge) each other's tasks."""

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


BROKER_DIR = ("import os; from django.conf import settings; "
              "print(os.path.dirname(settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']))")


def _broker_folder_of_a_test_worker(inherited: str, worker: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="helpdesk.settings", DJANGO_TESTING="1", CELERY_FILESYSTEM_BROKER_DIR=inherited)
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    result = subprocess.run([sys.executable, "-c", BROKER_DIR], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_each_test_worker_has_its_own_broker_folder_under_the_one_it_inherits(tmp_path):
    # The controlling pytest process sets its folder first; the workers it starts inherit the variable.
    run = tmp_path / "run"
    assert _broker_folder_of_a_test_worker(str(run), "gw0") == str(run / "gw0")
    assert _broker_folder_of_a_test_worker(str(run), "gw1") == str(run / "gw1")


def test_a_subprocess_of_a_test_worker_shares_the_worker_s_broker_folder(tmp_path):
    worker_folder = tmp_path / "run" / "gw1"
    assert _broker_folder_of_a_test_worker(str(worker_folder), "gw1") == str(worker_folder)


def test_a_run_without_workers_keeps_the_broker_folder_it_names(tmp_path):
    assert _broker_folder_of_a_test_worker(str(tmp_path / "run"), None) == str(tmp_path / "run")


def test_a_test_run_removes_its_broker_folder_when_it_ends():
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_XDIST_WORKER", "REDIS_URL", "CELERY_FILESYSTEM_BROKER_DIR", "PYTEST_CURRENT_TEST")}
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:xdist", "--collect-only", "-q", __file__],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 0, output
    assert "test_a_test_run_removes_its_broker_folder_when_it_ends" in output  # it ran, with its folder
    assert not (ROOT / "var" / "test-runs" / str(run.pid)).exists()
