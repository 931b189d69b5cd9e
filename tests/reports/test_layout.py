"""The reports sit above every app (tickets <- feedback <- escalation <- reports): they read the others,
and no app imports them (docs/architecture.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOWER_APPS = ("tickets", "feedback", "escalation")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_app_below_the_reports_imports_them():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in LOWER_APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in sorted(_imported_modules(path))
        if module == "reports" or module.startswith("reports.")
    ]
    assert offenders == []

