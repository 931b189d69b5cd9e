"""Production settings refuse to start without a secret and pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7$kq!v2-production-like-secret-key-for-the-deploy-check-9f3a1c0e5b7d",
    "ALLOWED_HOSTS": "desk.example.com",
    "DATABASE_URL": "postgres://desk:secret@db.example.com:5432/desk",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "EMAIL_URL": "smtp+tls://desk:secret@mail.example.com:587",
}


def _run(args, env_overrides):
    dropped = {"DJANGO_TESTING", "DEBUG", "SECRET_KEY", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE",
               "CELERY_FILESYSTEM_BROKER_DIR"}  # set in-process by the test run itself
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_without_secret_key_refuse_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
