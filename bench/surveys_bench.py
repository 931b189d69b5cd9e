"""Survey outbox benchmark: resolve N tickets with SURVEY_DELAY_SECONDS=0 and time them to the SMTP server.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_feedback_bench \\
        .venv/bin/python bench/surveys_bench.py [--sizes 1000,10000] [--fault-size 10000] \\
        [--resolvers 6] [--workers 4] [--backlog 2000]

Everything is real and local: its OWN redis-server on port 6390 (started and stopped here; the shared
one on 6379 is never touched), a Celery worker (prefork, --workers processes) and beat as subprocesses, and
an aiosmtpd sink (a subprocess) that logs the Message-ID of every message it accepts.

1. Clean runs, one per size: N tickets (bulk_create, one customer each so the throttle does not
   apply, each with its armed SLA clock) are resolved by `--resolvers` processes, `--per-call` tickets
   per service call: 50 (default) through `tickets_transition`, as an agent resolves a page of selected
   tickets in the list (or an integration through the API's bulk-status); 1 through `ticket_transition`,
   one ticket at a time as on the ticket page. Printed per size:
   - resolve/s: N / (last resolve committed - first resolve started), over all resolver processes;
   - send/s: surveys accepted by SMTP / (last acceptance - first acceptance);
   - e2e/s: surveys accepted / (last acceptance - first resolve started): THE figure of the issue,
     "surveys per second from resolve to accepted by SMTP" (resolving and sending overlap);
   - lat p50/p95/max: seconds from a survey's resolve (its row's created_at) to its acceptance;
   - received (emails of this run at the sink) and unique (distinct Message-IDs); "late" = not
     delivered when the run stopped waiting (no progress for 90 s) but still scheduled/claimed in the
     outbox; "lost" = neither; dup = received - unique; load = 1-minute load average at the start of
     the resolves and when the last email arrived.
2. Backlog (--backlog N): send capacity alone. The worker is stopped, N tickets are resolved, the
   worker is started: surveys per second from the first to the last acceptance.
3. Fault run: the same with the worker SIGKILLed (its whole process group) twice and restarted (at
   5 s and 12 s), and the broker (redis-server on 6390) killed at 20 s for 30 seconds and restarted
   empty. Printed: sent, lost (must be 0) and duplicated (target: no more than the number of kills).
"""

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
REDIS_PORT = int(os.environ.get("DD_SURVEYS_BENCH_REDIS_PORT", "6390"))  # another port when benches run side by side
# One private scratch directory per run, shared with the child processes through the environment.
WORKDIR = Path(os.environ.get("DD_SURVEYS_BENCH_DIR") or tempfile.mkdtemp(prefix="dd_surveys_bench_"))
os.environ["DD_SURVEYS_BENCH_DIR"] = str(WORKDIR)
SINK_LOG = WORKDIR / "sink.log"
DEFAULT_DB = "postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_feedback_bench"
SURVEY_ID = re.compile(r"\.v(\d+)\.")  # the survey's id in its signed Message-ID: <dd.REF.v123.signature@domain>


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SURVEY_DELAY_SECONDS": "0",
            "SURVEY_THROTTLE_DAYS": "0",
            "DJANGO_SETTINGS_MODULE": "surveys_bench_settings",
            "PYTHONPATH": f"{BENCH}:{ROOT}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


# --- the pieces, each a subprocess --------------------------------------------------------------
def start_redis() -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).stdout.strip() == b"PONG":
            return proc
        time.sleep(0.05)
    raise RuntimeError("redis-server on 6390 did not start")


def start_sink(port: int) -> subprocess.Popen:
    SINK_LOG.write_text("")
    return subprocess.Popen([sys.executable, __file__, "--sink", str(port)], cwd=ROOT)


def start_worker(env, concurrency: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "helpdesk",
            "worker",
            "-c",
            str(concurrency),
            "--prefetch-multiplier",
            "1",
            "-O",
            "fair",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "ERROR",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_beat(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "helpdesk", "beat", "-s", str(WORKDIR / "beat-schedule"), "-l", "ERROR"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def run_sink(port: int) -> None:
    """The SMTP sink: accept everything, log "<Message-ID> <time>" per message."""
    from aiosmtpd.controller import Controller

    pattern = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)
    log = SINK_LOG.open("a", buffering=1)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            found = pattern.search(envelope.original_content or envelope.content)
            log.write(f"{found.group(1).decode() if found else '-'} {time.time():.6f}\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


# --- data and resolving ----------------------------------------------------------------------------
def setup_django() -> None:
    os.environ.update(
        {k: v for k, v in child_env(int(os.environ.get("BENCH_SMTP_PORT", "1"))).items() if k not in ("EMAIL_URL",)}
    )
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django

    django.setup()


def make_tickets(n: int, label: str) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Customer, Membership, Team
    from accounts.roles import Role
    from accounts.services import user_create_with_role
    from tickets.models import Queue, Ticket

    team, _ = Team.objects.get_or_create(slug="bench-surveys", defaults={"name": "Bench surveys"})
    queue, _ = Queue.objects.get_or_create(slug="bench-surveys", defaults={"name": "Bench surveys", "team": team})
    agent = get_user_model().objects.filter(username="bench-survey-agent").first()
    if agent is None:
        agent = user_create_with_role(
            role=Role.AGENT,
            username="bench-survey-agent",
            password=None,
            email="bench-agent@example.com",
            first_name="Bench",
            last_name="Agent",
        )
        Membership.objects.get_or_create(team=team, user=agent)
    now = timezone.now()
    customers = Customer.objects.bulk_create(
        [Customer(name=f"Bench {label} {i}", email=f"bench-{label}-{i}@example.com") for i in range(n)],
        batch_size=2000,
    )
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                reference=f"BS-{label}-{i}",
                subject=f"Bench ticket {i}",
                description="Bench.",
                customer=c,
                queue=queue,
                assignee=agent,
                status=Ticket.Status.OPEN,
                created_at=now,
                updated_at=now,
            )
            for i, c in enumerate(customers)
        ],
        batch_size=2000,
    )
    sla_rows(tickets, now)
    return [t.pk for t in tickets]


def sla_rows(tickets, now) -> None:
    """Every real ticket has its SLA clock (escalation's sla_start on creation): armed resolution
    alarms, so that resolving does the SLA bookkeeping it does in production."""
    from datetime import timedelta

    from escalation.models import TicketSla

    due = now + timedelta(hours=16)
    TicketSla.objects.bulk_create(
        [
            TicketSla(ticket_id=t.pk, first_response_due=now + timedelta(hours=4), first_response_met=True,
                      resolution_due=due, res_warning_at=due - timedelta(hours=3), res_breach_at=due, updated_at=now)
            for t in tickets
        ],
        batch_size=2000,
    )


def resolve_slice(ids: list[int], per_call: int) -> tuple[float, float, float]:
    """Resolve `ids` as agents do: `per_call` tickets per service call (1: one ticket at a time through
    `ticket_transition`, the ticket page's path; more: `tickets_transition`, the list's "resolve
    selected" and the API's bulk-status, a page of selected tickets per call)."""
    from django.contrib.auth import get_user_model

    from tickets import services
    from tickets.models import Ticket

    agent = get_user_model().objects.get(username="bench-survey-agent")
    first_start, cpu_start = time.time(), time.process_time()
    if per_call > 1:
        for start in range(0, len(ids), per_call):
            services.tickets_transition(ticket_ids=ids[start : start + per_call], to_status=Ticket.Status.RESOLVED,
                                        actor=agent)
        return first_start, time.time(), time.process_time() - cpu_start
    for start in range(0, len(ids), 500):
        for ticket in Ticket.objects.filter(pk__in=ids[start : start + 500]).select_related("queue", "customer"):
            services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent)
    return first_start, time.time(), time.process_time() - cpu_start


def sink_lines() -> list[tuple[str, float]]:
    rows = []
    for line in SINK_LOG.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            rows.append((parts[0], float(parts[1])))
    return rows


def expected_message_ids(ticket_ids: list[int]) -> set[str]:
    from feedback.emails import survey_message_id
    from feedback.models import Survey

    surveys = (Survey.objects.filter(ticket_id__in=ticket_ids).exclude(state="skipped").select_related("ticket")
               .only("pk", "ticket__reference"))
    return {survey_message_id(survey) for survey in surveys}


PER_CALL = {"n": 50}  # tickets per resolve call (--per-call)
RUNNING: dict = {}  # the current worker and sink processes (their CPU time is sampled around a phase)


def _cpu_seconds(stat_path: Path, pgrp: int | None = None) -> float:
    """utime + stime of one process from /proc/<pid>/stat; 0 if it is gone (or not in `pgrp`)."""
    try:
        fields = stat_path.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    if pgrp is not None and int(fields[2]) != pgrp:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_and_sink_cpu() -> tuple[float, float]:
    """CPU seconds used so far by the worker's process group (parent and prefork children) and the sink."""
    worker, sink = RUNNING.get("worker"), RUNNING.get("sink")
    worker_cpu = 0.0
    if worker is not None:
        worker_cpu = sum(_cpu_seconds(stat, pgrp=worker.pid) for stat in Path("/proc").glob("[0-9]*/stat"))
    sink_cpu = _cpu_seconds(Path(f"/proc/{sink.pid}/stat")) if sink is not None else 0.0
    return worker_cpu, sink_cpu


def start_resolvers(env, ids: list[int], resolvers: int, per_call: int) -> list[subprocess.Popen]:
    """`resolvers` processes, each resolving its slice of `ids` (`--resolve`), `per_call` tickets a call."""
    procs = []
    for index in range(resolvers):
        slice_file = WORKDIR / f"slice-{index}"
        slice_file.write_text(",".join(map(str, ids[index::resolvers])))
        Path(f"{slice_file}.times").unlink(missing_ok=True)
        procs.append(subprocess.Popen(
            [sys.executable, __file__, "--resolve", str(slice_file), "--per-call", str(per_call)], cwd=ROOT, env=env
        ))
    return procs


def wait_for_delivery(expected: set[str], *, stuck_after: float, deadline: float = float("inf")) -> None:
    """Until the sink has every expected Message-ID, the deadline passes or nothing arrived for `stuck_after` s."""
    last_count, last_progress = -1, time.time()
    while time.time() < deadline and time.time() - last_progress < stuck_after:
        got = len({mid for mid, _ in sink_lines()} & expected)
        if got >= len(expected):
            return
        if got != last_count:
            last_count, last_progress = got, time.time()
        time.sleep(0.5)


def run_phase(env, n: int, label: str, resolvers: int, faults=None, settle: int = 240) -> dict:
    ids = make_tickets(n, label)
    load_before = os.getloadavg()
    start = time.time()
    procs = start_resolvers(env, ids, resolvers, PER_CALL["n"])
    cpu_before = worker_and_sink_cpu()
    if faults:
        faults(start)
    for proc in procs:
        proc.wait()
    resolved_at = time.time()
    times = [tuple(map(float, Path(str(WORKDIR / f"slice-{i}.times")).read_text().split())) for i in range(resolvers)]
    first_resolve = min(t[0] for t in times)  # the first resolver's first ticket_transition call
    last_resolve = max(t[1] for t in times)  # the last resolve committed
    resolver_cpu = sum(t[2] for t in times)  # CPU of the resolve loops (without start-up and loading)
    expected = expected_message_ids(ids)
    wait_for_delivery(expected, stuck_after=90, deadline=time.time() + settle)
    load_after = os.getloadavg()
    cpu_after = worker_and_sink_cpu()
    time.sleep(3)  # late duplicates
    lines = [(mid, at) for mid, at in sink_lines() if mid in expected]
    received = len(lines)
    first_accept: dict[str, float] = {}
    for mid, at in lines:
        first_accept[mid] = min(at, first_accept.get(mid, at))
    unique = len(first_accept)
    accepts = sorted(first_accept.values())
    last = accepts[-1] if accepts else resolved_at
    in_outbox = pending_in_outbox(ids)
    return {
        "n": n,
        "surveys": len(expected),
        "resolve_s": max(last_resolve - first_resolve, 1e-6),
        "send_s": max(last - accepts[0], 1e-6) if accepts else 0.0,
        "e2e_s": max(last - first_resolve, 1e-6),
        "latency": latencies(first_accept),
        "received": received,
        "unique": unique,
        "in_outbox": in_outbox,
        "lost": len(expected) - unique - in_outbox,
        "duplicated": received - unique,
        "load": (load_before[0], load_after[0]),
        # CPU milliseconds per survey: resolve loops (Django side, not PostgreSQL), worker, SMTP sink
        "cpu_ms": (
            resolver_cpu * 1000 / n,
            (cpu_after[0] - cpu_before[0]) * 1000 / max(len(expected), 1),
            (cpu_after[1] - cpu_before[1]) * 1000 / max(len(expected), 1),
        ),
    }


def latencies(first_accept: dict[str, float]) -> tuple[float, float, float]:
    """Seconds from each survey's resolve (its row's created_at, the resolve time) to its acceptance by
    SMTP: median, 95th percentile, maximum."""
    from feedback.models import Survey

    by_pk = {int(found.group(1)): at for mid, at in first_accept.items() if (found := SURVEY_ID.search(mid))}
    created = dict(Survey.objects.filter(pk__in=list(by_pk)).values_list("pk", "created_at"))
    values = sorted(at - created[pk].timestamp() for pk, at in by_pk.items() if pk in created)
    if not values:
        return (0.0, 0.0, 0.0)
    return (values[len(values) // 2], values[int(len(values) * 0.95)], values[-1])


def pending_in_outbox(ticket_ids: list[int]) -> int:
    """Survey emails not delivered yet but still waiting or claimed in the outbox: late, not lost (the
    sweep sends them)."""
    from outbox.models import Delivery

    return Delivery.objects.filter(survey__ticket_id__in=ticket_ids, state__in=Delivery.PENDING_STATES).count()


def run_backlog(env, args, label: str, worker: subprocess.Popen) -> subprocess.Popen:
    """Send capacity alone: resolve N tickets with the worker stopped, then start it and time the drain."""
    kill_group(worker, signal.SIGTERM)
    ids = make_tickets(args.backlog, label)
    procs = start_resolvers(env, ids, args.resolvers, args.per_call)
    for proc in procs:
        proc.wait()
    expected = expected_message_ids(ids)
    load_before = os.getloadavg()
    started = time.time()
    worker = start_worker(env, args.workers)
    RUNNING["worker"] = worker
    wait_for_delivery(expected, stuck_after=60)
    time.sleep(3)
    lines = [(mid, at) for mid, at in sink_lines() if mid in expected]
    accepts = sorted(at for _, at in lines)
    unique = len({mid for mid, _ in lines})
    drain = (accepts[-1] - accepts[0]) if len(accepts) > 1 else 0.0
    print(
        f"\nbacklog: {len(expected)} due surveys, worker (prefork x{args.workers}) started after the resolves: "
        f"sent {unique}, duplicated {len(lines) - unique}; first to last acceptance {drain:.1f} s = "
        f"{(unique / drain) if drain else 0:.1f} surveys/s; worker start to last acceptance "
        f"{(accepts[-1] - started) if accepts else 0:.1f} s; load {load_before[0]:.2f}-{os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return worker


def format_row(r: dict) -> str:
    p50, p95, worst = r["latency"]
    return (
        f"{r['n']:>8} {r['surveys']:>8} {r['n'] / r['resolve_s']:>10.1f} "
        f"{(r['unique'] / r['send_s']) if r['send_s'] else 0:>7.1f} {r['unique'] / r['e2e_s']:>7.1f} "
        f"{p50:>7.2f}s {p95:>5.2f}s {worst:>5.1f}s {r['received']:>9} {r['unique']:>7} {r['in_outbox']:>5} "
        f"{r['lost']:>5} {r['duplicated']:>4} {r['load'][0]:>5.2f}-{r['load'][1]:<5.2f} "
        f"{r['cpu_ms'][0]:>5.1f} {r['cpu_ms'][1]:>5.1f} {r['cpu_ms'][2]:>5.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--fault-size", type=int, default=10000)
    parser.add_argument("--resolvers", type=int, default=6, help="processes resolving tickets at the same time")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (prefork concurrency)")
    parser.add_argument("--backlog", type=int, default=0, help="also time draining a backlog of N due surveys")
    parser.add_argument("--per-call", type=int, default=50,
                        help="tickets per resolve call: 1 = one at a time (ticket page), N = N selected in the list")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--resolve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return run_sink(args.sink)
    if args.resolve:
        setup_django()
        first, last, cpu = resolve_slice([int(x) for x in Path(args.resolve).read_text().split(",") if x],
                                         args.per_call)
        Path(args.resolve + ".times").write_text(f"{first:.6f} {last:.6f} {cpu:.6f}")
        return None

    PER_CALL["n"] = args.per_call
    smtp_port = free_port()
    env = child_env(smtp_port)
    os.environ["BENCH_SMTP_PORT"] = str(smtp_port)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup_django()
    redis = start_redis()
    sink = start_sink(smtp_port)
    worker = start_worker(env, args.workers)
    RUNNING.update(worker=worker, sink=sink)
    beat = start_beat(env)
    time.sleep(4)
    label_base = f"{int(time.time()) % 100000:05d}"
    mode = (
        "one ticket per call: ticket_transition"
        if args.per_call == 1
        else f"{args.per_call} tickets per call: tickets_transition"
    )
    try:
        print(
            f"survey outbox benchmark: {os.cpu_count()} CPUs, {args.resolvers} resolver processes "
            f"({mode}), "
            f"worker prefork x{args.workers}, beat sweep every 2 s, SURVEY_DELAY_SECONDS=0, PostgreSQL, "
            f"Redis broker, aiosmtpd sink; load average at start {os.getloadavg()[0]:.2f}"
        )
        print(
            f"{'tickets':>8} {'surveys':>8} {'resolve/s':>10} {'send/s':>7} {'e2e/s':>7} "
            f"{'lat p50':>8} {'p95':>6} {'max':>6} {'received':>9} {'unique':>7} {'late':>5} {'lost':>5} "
            f"{'dup':>4} {'load':>11} {'cpu ms/survey: resolver worker sink'}"
        )
        for size in [int(s) for s in args.sizes.split(",") if s]:
            r = run_phase(env, size, f"{label_base}c{size // 1000}", args.resolvers, settle=1800)
            print(format_row(r), flush=True)
        if args.backlog:
            worker = run_backlog(env, args, f"{label_base}b", worker)
        if args.fault_size:
            state = {"worker": worker, "redis": redis, "kills": 0}

            def faults(start: float) -> None:
                import threading

                def chaos() -> None:
                    for at in (5, 12):
                        time.sleep(max(0, start + at - time.time()))
                        kill_group(state["worker"])
                        state["kills"] += 1
                        time.sleep(1)
                        state["worker"] = RUNNING["worker"] = start_worker(env, args.workers)
                    time.sleep(max(0, start + 20 - time.time()))
                    state["redis"].kill()
                    state["redis"].wait()
                    time.sleep(30)
                    state["redis"] = start_redis()

                state["thread"] = threading.Thread(target=chaos, daemon=True)
                state["thread"].start()

            r = run_phase(env, args.fault_size, f"{label_base}f", args.resolvers, faults=faults, settle=400)
            state["thread"].join()
            worker, redis = state["worker"], state["redis"]
            print(
                f"\nfault run: {r['n']} tickets, worker SIGKILLed {state['kills']} times and restarted, "
                "broker stopped 30 s"
            )
            print(
                f"  surveys {r['surveys']}, sent {r['unique']}, lost {r['lost']} (must be 0), late {r['in_outbox']}, "
                f"duplicated {r['duplicated']} (target <= {state['kills']}), emails received {r['received']}, "
                f"first resolve to last accepted {r['e2e_s']:.0f} s"
            )
            print(format_row(r))
    finally:
        for proc in (beat, worker):
            kill_group(proc, signal.SIGTERM)
        sink.terminate()
        sink.wait()
        redis.terminate()
        redis.wait()


if __name__ == "__main__":
    main()
