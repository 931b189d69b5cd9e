"""Benchmark of the tickets REST API at several data sizes.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_api_bench \
        .venv/bin/python bench/api_tickets_bench.py [--sizes 1000,10000] [--runs 20]

Data: bench/tickets_data.py (the workspace benchmark's generator, 5 messages per ticket), in one
database per size named after DATABASE_URL's with a suffix (dd_api_bench_1k, ...). Requests go through
DRF's test client (authentication, permissions, filters, serializers, JSON) as an agent of one of four
teams and as a customer with a handful of tickets. Prints median and p90 in ms and SQL queries per
request, then the ratio of the largest size's median to the smallest's (flat means the list and
detail cost does not grow with the table).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tickets_bench
import tickets_data


def _measure(send, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = send()
        assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        send()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        send()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], len(ctx.captured_queries)


def run_size(size: int, runs: int) -> dict:
    tickets_data.setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import override_settings
    from rest_framework.test import APIClient

    from accounts.models import Customer
    from accounts.roles import Role
    from accounts.services import user_create_with_role
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    print(f"-- {size} tickets ({connection.vendor}, {connection.settings_dict['NAME']}): generating...", flush=True)
    tickets_data.ensure_tickets(size, verbose=False)
    agent = get_user_model().objects.get(username="bench-agent-0-0")
    customer_user = get_user_model().objects.filter(username="bench-api-customer").first()
    if customer_user is None:
        busiest = (Customer.objects.filter(user__isnull=True).annotate(n=Count("tickets")).order_by("-n", "pk")
                   .first())
        customer_user = user_create_with_role(
            username="bench-api-customer", password="bench-not-secret", role=Role.CUSTOMER,  # noqa: S106
            email=busiest.email)
    probe = Ticket.objects.filter(queue__team__memberships__user=agent).order_by("pk").first()
    results = {}
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        staff, customer = APIClient(), APIClient()
        staff.force_authenticate(agent)
        customer.force_authenticate(customer_user)
        state = {"priority": "high"}

        def patch():
            probe.refresh_from_db(fields=["version"])
            state["priority"] = "low" if state["priority"] == "high" else "high"
            return staff.patch(f"/api/v1/tickets/{probe.reference}/",
                               {"version": probe.version, "priority": state["priority"]}, format="json")

        cases = {
            "agent list, first page": lambda: staff.get("/api/v1/tickets/"),
            "agent list, status=open": lambda: staff.get("/api/v1/tickets/?status=open&priority=high"),
            "agent search, rare": lambda: staff.get("/api/v1/tickets/?q=ORD-100504"),
            "customer list": lambda: customer.get("/api/v1/tickets/"),
            "ticket detail": lambda: staff.get(f"/api/v1/tickets/{probe.reference}/"),
            "ticket messages": lambda: staff.get(f"/api/v1/tickets/{probe.reference}/messages/"),
            "PATCH priority": patch,
        }
        for name, send in cases.items():
            median, p90, queries = _measure(send, runs)
            results[name] = (median, p90, queries)
            print(f"  {name:<28} median {median:7.1f} ms   p90 {p90:7.1f} ms   queries {queries:>3}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        print("RESULT " + json.dumps(run_size(args.one_size, args.runs)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    base_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tickets_data.ROOT / 'var' / 'api_bench.sqlite3'}"
    print(f"runs per figure: {args.runs}", flush=True)
    results: dict[str, dict[int, list]] = {}
    for size in sizes:
        env = {**os.environ, "DATABASE_URL": tickets_bench._database_url_for(base_url, size)}
        command = [sys.executable, __file__, "--one-size", str(size), "--runs", str(args.runs)]
        output = subprocess.run(command, env=env, check=True, text=True, stdout=subprocess.PIPE).stdout
        for line in output.splitlines():
            if line.startswith("RESULT "):
                for name, figures in json.loads(line[7:]).items():
                    results.setdefault(name, {})[size] = figures
            else:
                print(line, flush=True)
    smallest, largest = sizes[0], sizes[-1]
    print(f"-- ratio of medians, {largest} / {smallest} tickets")
    for name, by_size in results.items():
        queries = " / ".join(str(by_size[s][2]) for s in sizes)
        print(f"  {name:<28} {by_size[largest][0] / by_size[smallest][0]:5.2f}   queries per size: {queries}")


if __name__ == "__main__":
    main()
