"""Benchmark of the bulk status change from the agent's list (POST /tickets/bulk-status/) and the API
(POST /api/v1/tickets/bulk-status/), resolving batches of fresh tickets of several sizes.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_bulk_bench \
        .venv/bin/python bench/bulk_status_bench.py [--sizes 10,100,500] [--runs 5]

Each run resolves a new batch of NEW tickets (one customer each, so that every ticket gets its survey)
made with bulk_create in bench/tickets_data.py's teams and queues; the request goes through Django's
test client (session or DRF auth, form or serializer, visibility, the service with its events,
surveys, pulses and SLA outcome, the redirect or JSON). Prints the median and p90 in ms, SQL queries
per request, ms per ticket, and the ratio of the largest batch's queries and per-ticket time to the
smallest's (flat queries: the change is written set-wise).
"""

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tickets_data

_serial = itertools.count()


def _fresh_tickets(queue, n: int) -> list:
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Customer
    from tickets.models import Ticket, TicketEvent

    tag = f"{int(time.time() * 1000)}-{next(_serial)}"
    customers = Customer.objects.bulk_create(
        Customer(name=f"Bulk {tag} {i}", email=f"bulk-{tag}-{i}@bulk.bench.example") for i in range(n)
    )
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        Ticket(subject=f"Outage {tag} {i}", description="The checkout is down.", customer=c, queue=queue,
               created_at=now, updated_at=now, search_document=f"outage {tag} {i}")
        for i, c in enumerate(customers)
    )
    for t in tickets:
        t.reference = f"{settings.TICKET_REFERENCE_PREFIX}-{t.pk + 1000}"
    Ticket.objects.bulk_update(tickets, ["reference"])
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket_id=t.pk, kind=TicketEvent.Kind.CREATED, to_value="web", created_at=now) for t in tickets
    )
    return tickets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    tickets_data.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from rest_framework.test import APIClient

    from feedback.models import Survey
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    queues, agents_by_team, _ = tickets_data._structure()
    queue = queues[0]
    agent = agents_by_team[queue.team_id][0]
    print(f"bulk status change ({connection.vendor}, {connection.settings_dict['NAME']}), "
          f"{args.runs} runs per size, fresh tickets each run", flush=True)

    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        web, api = Client(), APIClient()
        web.force_login(agent)
        api.force_authenticate(agent)

        def web_post(batch):
            return web.post("/tickets/bulk-status/", {"tickets": [t.pk for t in batch], "status": "resolved",
                                                      "next": "/tickets/"})

        def api_post(batch):
            return api.post("/api/v1/tickets/bulk-status/",
                            {"references": [t.reference for t in batch], "status": "resolved"}, format="json")

        results = {}
        for name, send, ok in (("web", web_post, 302), ("api", api_post, 200)):
            send(_fresh_tickets(queue, 2))  # warm-up: role lookup, compiled templates and SQL
            for size in sizes:
                times, queries = [], 0
                for _ in range(args.runs):
                    batch = _fresh_tickets(queue, size)
                    with CaptureQueriesContext(connection) as ctx:
                        start = time.perf_counter()
                        response = send(batch)
                        times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == ok, (response.status_code, response.content[:300])
                    resolved = Ticket.objects.filter(pk__in=[t.pk for t in batch], status="resolved").count()
                    surveyed = Survey.objects.filter(ticket__in=batch).count()
                    assert resolved == surveyed == size, (resolved, surveyed, size)
                    queries = len(ctx.captured_queries)
                times.sort()
                median = statistics.median(times)
                p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
                results[name, size] = (median, queries)
                print(f"  {name}  {size:>4} tickets: median {median:8.1f} ms  p90 {p90:8.1f} ms  "
                      f"{queries:>3} queries  {median / size:6.2f} ms/ticket", flush=True)
        small, large = sizes[0], sizes[-1]
        for name in ("web", "api"):
            (m_small, q_small), (m_large, q_large) = results[name, small], results[name, large]
            print(f"  {name} {large}/{small}: queries x{q_large / q_small:.2f}, time x{m_large / m_small:.1f} "
                  f"for x{large / small:.0f} tickets (per ticket x{(m_large / large) / (m_small / small):.2f})")


if __name__ == "__main__":
    main()
