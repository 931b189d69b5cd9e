"""The base URL of emailed links names the web server, whatever process renders the email."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_url_in_a_process_with(**variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "DESK_PORT")}
    env.update(variables, DEBUG="1")
    script = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"}, capture_output=True, text=True,
        timeout=60, check=True,
    )
    return result.stdout.strip()


def test_worker_under_honcho_links_to_the_web_servers_port():
    # honcho gives `make run`'s worker PORT=8100; the web server listens on DESK_PORT.
    assert site_url_in_a_process_with(PORT="8100", DESK_PORT="8000") == "http://127.0.0.1:8000"


def test_site_url_setting_wins_over_ports():
    assert site_url_in_a_process_with(PORT="8100", DESK_PORT="8000", SITE_URL="https://desk.example.com") == (
        "https://desk.example.com"
    )
