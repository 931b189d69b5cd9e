"""Dependencies point one way: accounts <- tickets <- feedback <- escalation, and the project (`helpdesk/`)
imports no app (it knows them through INSTALLED_APPS and urls.py only). Read from the source, imports inside
functions included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["accounts", "tickets", "feedback", "escalation"]
APPS = set(ORDER) | {"reports"}


def _imported_apps(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_project_imports_no_app():
    assert _imported_apps("helpdesk") == {}


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_the_apps_below_it(app):
    above = set(ORDER[ORDER.index(app) + 1:]) | {"reports"}  # reports, when there, is on top
    wrong = {name: files for name, files in _imported_apps(app).items() if name in above}

    assert wrong == {}
