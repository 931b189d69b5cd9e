"""Benchmark of the agent's workspace at 1k, 10k and 100k tickets (5 messages each).

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_workspace \
        .venv/bin/python bench/tickets_bench.py [--sizes 1000,10000,100000] [--runs 30] [--explain]

Each size gets a database of its own, named after DATABASE_URL's with a suffix (dd_bench_1k,
dd_bench_10k, ... ; created when missing, SQLite: one file per size), so that a 1k desk really has
1k tickets. In it the script tops the data up (bench/tickets_data.py), then times full requests through
Django's test client (middleware, view, queries, template) as an agent of one of four teams:
the list's first page, three filtered pages (open+high, queue+closed, a tag), the list sorted by
priority, two searches (a rare order number and a common word),
and the ticket page. It prints the median and 90th percentile of the whole request in ms, the
median time spent in SQL (the part that grows with the data; the rest is Python and templates,
which a busy shared CPU inflates), the number of SQL queries, and at the end the ratios of the
largest size's medians to the smallest's.
`--explain` prints PostgreSQL's plan of the slowest query of each list request at every size.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tickets_data


def _measure(client, url: str, runs: int):
    """Median and p90 of the whole request, median of its SQL time (the part that scales with data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm caches and connections
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times, sql_times = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        sql_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    times.sort()
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return statistics.median(times), p90, statistics.median(sql_times), ctx.captured_queries


def _explain(queries) -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or not queries:
        return
    slowest = max(queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + slowest["sql"])
        plan = "\n".join("      " + row[0] for row in cursor.fetchall())
    print(f"    slowest query ({float(slowest['time']) * 1000:.1f} ms):\n      {slowest['sql'][:300]}\n{plan}")


def _database_url_for(base_url: str, size: int) -> str:
    """The benchmark database of one size: the base URL's database name + _1k / _10k / _100k."""
    from urllib.parse import urlsplit, urlunsplit

    suffix = f"_{size // 1000}k" if size % 1000 == 0 else f"_{size}"
    parts = urlsplit(base_url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path.lstrip("/") if parts.path.startswith("//") else parts.path)
        return f"sqlite:///{path.with_name(path.stem + suffix + (path.suffix or '.sqlite3'))}"
    name = parts.path.lstrip("/")
    if not name.endswith(suffix):
        name += suffix
    url = urlunsplit(parts._replace(path="/" + name))
    _create_postgres_database(parts, name)
    return url


def _create_postgres_database(parts, name: str) -> None:
    import psycopg

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def run_size(size: int, runs: int, explain: bool) -> dict:
    """Generate (top up) and measure one size, in the database DATABASE_URL points at."""
    tickets_data.setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    print(f"-- {size} tickets ({connection.vendor}, {connection.settings_dict['NAME']}): generating...", flush=True)
    tickets_data.ensure_tickets(size, verbose=False)
    results = {}
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        agent = get_user_model().objects.get(username="bench-agent-0-0")
        client = Client()
        client.force_login(agent)
        # A ticket present at every size, in the agent's team (i % 8 == 0), with its 5 messages.
        probe = Ticket.objects.select_related("customer").get(messages__body__startswith="my order ORD-100504 ")
        list_url = reverse("tickets:list")
        cases = {
            "list, first page": f"{list_url}?view=team",
            "list, filtered (open, high)": f"{list_url}?view=team&status=open&priority=high",
            "list, filtered (queue, closed)": f"{list_url}?view=team&queue=bench-queue-0-1&status=closed",
            "list, filtered (tag)": f"{list_url}?view=team&tag=bench-vip",
            "list, most urgent first": f"{list_url}?view=team&ordering=-priority",
            "search, rare (order no.)": f"{list_url}?view=team&q=ORD-100504",
            "search, common (refund)": f"{list_url}?view=team&q=refund",
            "search, customer's email": f"{list_url}?view=team&q={probe.customer.email}",
            "search, customer name (many)": f"{list_url}?view=team&q=Customer 1",
            "search, bare ticket number": f"{list_url}?view=team&q={probe.reference.split('-', 1)[1]}",
            "list, any status": f"{list_url}?view=team&status=any",
            "ticket page": reverse("tickets:detail", args=[probe.reference]),
        }
        for name, url in cases.items():
            median, p90, sql, queries = _measure(client, url, runs)
            results[name] = (median, p90, len(queries), sql)
            print(f"  {name:<32} median {median:7.1f} ms   p90 {p90:7.1f} ms   SQL {sql:6.1f} ms   "
                  f"queries {len(queries):>3}", flush=True)
            if explain and name != "ticket page":
                _explain(queries)
    return results


def main() -> None:
    import json
    import os
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)  # internal: a child run
    args = parser.parse_args()

    if args.one_size:
        results = run_size(args.one_size, args.runs, args.explain)
        print("RESULT " + json.dumps(results))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    base_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tickets_data.ROOT / 'var' / 'bench.sqlite3'}"
    print(f"runs per figure: {args.runs}", flush=True)
    results: dict[str, dict[int, list]] = {}
    for size in sizes:
        env = {**os.environ, "DATABASE_URL": _database_url_for(base_url, size)}
        command = [sys.executable, __file__, "--one-size", str(size), "--runs", str(args.runs)]
        if args.explain:
            command.append("--explain")
        output = subprocess.run(command, env=env, check=True, capture_output=False, text=True,
                                stdout=subprocess.PIPE).stdout
        for line in output.splitlines():
            if line.startswith("RESULT "):
                for name, figures in json.loads(line[7:]).items():
                    results.setdefault(name, {})[size] = figures
            else:
                print(line, flush=True)
    smallest, largest = sizes[0], sizes[-1]
    print(f"-- ratio of medians, {largest} / {smallest} tickets (target for the list: < 2, and < 100 ms at 100k)")
    print(f"  {'':<32} {'request':>7}  {'SQL':>6}")
    for name, by_size in results.items():
        ratio = by_size[largest][0] / by_size[smallest][0]
        sql_ratio = by_size[largest][3] / max(by_size[smallest][3], 0.001)
        queries = " / ".join(str(by_size[s][2]) for s in sizes)
        print(f"  {name:<32} {ratio:7.2f}  {sql_ratio:6.2f}   queries per size: {queries}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"-- load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs "
              "(figures from a busy machine are inflated; compare ratios)")


if __name__ == "__main__":
    main()
