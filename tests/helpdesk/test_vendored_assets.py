"""The vendored front-end files are what static/vendor/VERSIONS.txt says, and reference nothing missing."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
VENDOR = STATIC / "vendor"
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", re.MULTILINE)


def test_static_files_reference_no_missing_source_map():
    missing = []
    for path in STATIC.rglob("*"):
        if path.suffix in (".js", ".css"):
            for target in SOURCE_MAP.findall(path.read_text(encoding="utf-8", errors="replace")):
                if not (path.parent / target).is_file():
                    missing.append(f"{path.relative_to(STATIC)} -> {target}")
    assert not missing, f"collectstatic would fail on: {missing}"


def test_versions_file_names_every_vendored_file():
    listed = (VENDOR / "VERSIONS.txt").read_text(encoding="utf-8")
    unlisted = [p.name for p in VENDOR.iterdir() if p.name != "VERSIONS.txt" and p.name not in listed]
    assert not unlisted
