"""How long `manage.py seed_demo` takes at several sizes, and a second run (idempotent: nothing to do).

    .venv/bin/python bench/seed_demo_bench.py [--sizes 100,300,1000]

Each size seeds a fresh SQLite database in a temporary folder (the embedded default that `make run`
uses; set BENCH_DATABASE_URL=postgres://.../dd_seed_bench_{n} to use PostgreSQL, one database per
size, created beforehand). The command runs in a subprocess, as `make run` runs it, with its own
per-app timings. Prints seconds per run, per 100 tickets, and the ratio of the largest size's time
per ticket to the smallest's (the demo's work is per ticket: the ratio should stay near 1).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return time.monotonic() - started, done.stdout


def _per_app(output: str) -> list[tuple[str, str]]:
    """The command's "App:" headings and "  (1.2 s)" timings, paired."""
    found, app = [], None
    for line in output.splitlines():
        if re.fullmatch(r"\w[\w ]*:", line):
            app = line[:-1]
        elif (took := re.fullmatch(r"  \((\d+\.\d) s\)", line)) and app:
            found.append((app, took.group(1)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,300,1000")
    sizes = [int(n) for n in parser.parse_args().sizes.split(",")]
    print(f"{'tickets':>8} {'seed s':>8} {'s/100':>7} {'again s':>8}  per app")
    per_ticket = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder}/seed_{n}.sqlite3").format(n=n)
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1",
                   "CELERY_FILESYSTEM_BROKER_DIR": f"{folder}/broker_{n}"}  # the tasks it enqueues: thrown away
            _run(["migrate", "--no-input", "-v0"], env)
            seconds, out = _run(["seed_demo", "--tickets", str(n), "--no-progress"], env)
            again, _out = _run(["seed_demo", "--tickets", str(n), "--no-progress"], env)
            apps = " ".join(f"{app}={took}" for app, took in _per_app(out))
            per_ticket[n] = seconds / n
            print(f"{n:>8} {seconds:>8.1f} {100 * seconds / n:>7.2f} {again:>8.1f}  {apps}")
    print(f"time per ticket, {sizes[-1]} vs {sizes[0]}: x{per_ticket[sizes[-1]] / per_ticket[sizes[0]]:.2f}; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
