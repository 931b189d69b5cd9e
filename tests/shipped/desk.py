"""The desk as a new user gets it: a fresh copy of the tree, started the way the README says.

- `fresh_copy(dest)`: what a fresh clone holds (tracked files and new, not-ignored ones, so uncommitted
  work is tested too; never the developer's db.sqlite3, var/, staticfiles/ or .env), with the virtualenv
  running the tests linked in as `.venv`.
- `Backing`: the database and broker a desk runs on. With nothing configured, the embedded defaults
  inside the copy (SQLite, the filesystem broker, .eml files), exactly as `make run` on a new machine.
  When this run has a PostgreSQL DATABASE_URL, a fresh database on that server (dropped afterwards);
  when it has REDIS_URL, a throwaway redis-server (the suite flushes its own Redis db between tests).
- `MakeRunDesk`: `PORT=<free port> make run` in the copy (compile messages, migrate, seed_demo, honcho:
  web + worker + beat) in its own process group, stopped as a terminal's Ctrl-C stops it.

HTTP to it: `DeskClient` in tests/shipped/client.py.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tests.shipped.client import DeskClient

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"https?://[^\s<>\"']+")
# What a new user's shell carries; everything else (this run's DATABASE_URL, DJANGO_TESTING, MAKEFLAGS...)
# is left behind, so the desk sees only what a test gives it on purpose.
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "CI")
NEVER_COPIED = {".env", "db.sqlite3"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tools() -> str | None:
    """Why a shipped desk cannot be started here, or None."""
    for tool in ("make", "git"):
        if shutil.which(tool) is None:
            return f"needs `{tool}` on PATH"
    if not (Path(sys.prefix) / "bin" / "honcho").exists():
        return "needs honcho in the virtualenv (pip install -r requirements.txt)"
    if not (ROOT / ".git").exists():
        return "needs a git checkout (the fresh copy is made from `git ls-files`)"
    return None


def fresh_copy(dest: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.split(b"\0")
    for raw in listed:
        name = os.fsdecode(raw)
        source = ROOT / name
        if not name or Path(name).name in NEVER_COPIED or not source.is_file():  # deleted, not yet committed
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (dest / ".venv").symlink_to(Path(sys.prefix))
    return dest


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.25, log=None):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"\n--- log tail ---\n{log()[-4000:]}" if log else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{tail}")
        time.sleep(interval)


# --- What the desk runs on ----------------------------------------------------------------------


@dataclass
class Backing:
    """Environment variables naming the desk's database and broker, and how to take them down."""

    env: dict = field(default_factory=dict)
    _database: str | None = None
    _admin_url: str | None = None
    _redis: subprocess.Popen | None = None

    @classmethod
    def like_this_run(cls, workdir: Path) -> Backing:
        backing = cls()
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://")):
            backing._create_database(database_url)
        if os.environ.get("REDIS_URL"):
            backing._start_redis(workdir)
        return backing

    def _create_database(self, url: str) -> None:
        import psycopg

        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'delightdesk'}_desk{os.getpid()}_{secrets.token_hex(3)}"[:63]
        self._admin_url = url
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self._database = name
        self.env["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()

    def _start_redis(self, workdir: Path) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("REDIS_URL is set but redis-server is not installed (apt-get install redis-server)")
        port = free_port()
        self._redis = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
            return False

        wait_until(answers, timeout=20, what="the throwaway redis-server")
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"

    @property
    def description(self) -> str:
        database = "PostgreSQL" if self._database else "SQLite"
        broker = "Redis" if self._redis else "filesystem broker"
        return f"{database} + {broker}"

    def close(self) -> None:
        if self._redis is not None:
            self._redis.terminate()
            self._redis.wait(timeout=20)
        if self._database is not None:
            import psycopg

            with psycopg.connect(self._admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self._database}" WITH (FORCE)')


def base_environment(backing: Backing, **variables: str) -> dict:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(backing.env)
    env.update(variables)
    return env


# --- `make run` -------------------------------------------------------------------------------------


class MakeRunDesk:
    """`PORT=<port> make run` in a fresh copy, as a new user types it (the install step is taken as done:
    the virtualenv is the one running these tests)."""

    STARTUP_TIMEOUT = 300  # migrate + seed_demo on a busy machine

    def __init__(self, root: Path, backing: Backing, **variables: str):
        self.root = root
        self.port = free_port()
        self.env = base_environment(backing, PORT=str(self.port), **variables)
        self.backing = backing
        self.process: subprocess.Popen | None = None
        self.log_path = root / "make-run.log"
        self._log_offset = 0
        self.ready_at: float | None = None  # time.monotonic() when this start of `make run` was serving

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until_up_for(self, seconds: float) -> None:
        """Until this start of the desk has been serving for `seconds` (at once when it has been longer):
        for a test about what the periodic tasks do over time, e.g. beat's two-second sweep."""
        time.sleep(max(0.0, self.ready_at + seconds - time.monotonic()))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def absolute(self, path: str) -> str:
        return urljoin(self.url + "/", path)

    def start(self) -> None:
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            # Its own session and process group, as a terminal's foreground job: Ctrl-C reaches make and
            # honcho together, and nothing of ours.
            self.process = subprocess.Popen(
                ["make", "--old-file=.venv/.installed-run", "run"], cwd=self.root, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        wait_until(self._ready, timeout=self.STARTUP_TIMEOUT, what="`make run` to serve pages, work and beat",
                   interval=0.5, log=self.log)
        self.ready_at = time.monotonic()
        if "REDIS_URL" in self.backing.env:  # the worker really is on the throwaway Redis, not a fallback
            assert f"Connected to {self.backing.env['REDIS_URL'].split('//')[0]}//" in self.log(), self.log()[-3000:]

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"`make run` exited with {self.process.returncode}:\n{self.log()[-4000:]}")
        text = self.log()
        if not (re.search(r"worker\.\d+\s+\|.*celery@\S+ ready\.", text) and "beat: Starting" in text):
            return False
        with contextlib.suppress(OSError, http.client.HTTPException):
            return DeskClient(self.url).get("/healthz").status == 200
        return False

    def log(self) -> str:
        """What this start of `make run` printed so far."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def wait_until_idle(self, quiet_seconds: float = 3, timeout: float = 90) -> None:
        """Until the log has been still for a while (no task running: a warm shutdown waits for one)."""
        last = {"size": -1, "since": time.monotonic()}

        def still() -> bool:
            size = self.log_path.stat().st_size
            if size != last["size"]:
                last.update(size=size, since=time.monotonic())
            return time.monotonic() - last["since"] >= quiet_seconds

        wait_until(still, timeout=timeout, what="a quiet moment in the log", log=self.log)

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C in the terminal: SIGINT to the foreground process group. Returns make's exit status."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._kill_leftovers()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired, ProcessLookupError):
                self.interrupt()
        self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`python manage.py ...` in the copy, with the desk's variables (and DEBUG=1, as `make run` has)."""
        return subprocess.run(
            [str(self.root / ".venv" / "bin" / "python"), "manage.py", *args], cwd=self.root,
            env={**self.env, "DEBUG": "1"}, capture_output=True, text=True, check=check, timeout=120,
        )

    # --- the mail it sent (the .eml files of the embedded mail backend) ---

    def mails(self) -> list[EmailMessage]:
        folder = self.root / "var" / "mail"
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in files]

    def wait_for_mail(self, *, to: str, containing: str = "", timeout: float = 90) -> EmailMessage:
        """The first email sent to `to` whose plain text contains `containing`."""

        def find():
            for message in self.mails():
                if to in str(message["To"]) and containing in text_of(message):
                    return message
            return None

        return wait_until(find, timeout=timeout, what=f"an email to {to} containing {containing!r}", log=self.log)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def links_in(message: EmailMessage, path_fragment: str = "") -> list[str]:
    return [url.rstrip(".,;)") for url in URL.findall(text_of(message)) if path_fragment in url]
