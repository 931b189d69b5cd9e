"""A desk as a production install leaves it: `migrate` and nothing else (no queue, no admin use), in a throwaway
SQLite file, for tests that run real `manage.py` processes as an MTA or a deployer does. Migrating takes a
subprocess several seconds: the `migrated_database` fixture (tests/tickets/conftest.py) migrates once per test
process and every test works on its own copy (`copy_of`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def production_env(database: Path) -> dict:
    """This run's environment with the settings of a production install on `database`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "0", "DJANGO_TESTING": "0",
           "SECRET_KEY": "fresh-install-" + "k" * 40, "EMAIL_URL": "", "REDIS_URL": "",
           "MEDIA_ROOT": str(database.parent / "media")}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def migrate(database: Path) -> Path:
    subprocess.run([*MANAGE, "migrate", "--no-input", "-v0"], env=production_env(database), check=True, cwd=ROOT,
                   timeout=300)
    return database


def copy_of(database: Path, folder: Path) -> Path:
    copy = folder / database.name
    shutil.copyfile(database, copy)
    return copy
