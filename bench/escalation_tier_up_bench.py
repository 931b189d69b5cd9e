"""Tier-up benchmark: escalations not acknowledged in time, moved one by one vs in one batch.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_h_escalation \
        .venv/bin/python bench/escalation_tier_up_bench.py            # 10, 100, 500 overdue

Per size, the same set of overdue escalations (open, routed to a team supervisor, acknowledgement
due a minute ago) is moved up a tier twice: with `escalation_tier_up` once per escalation (what the
sweep did) and with `escalations_tier_up_many` (one batch; 500 is the sweep's batch size). Prints the
time and query count of each, then the largest/smallest ratios and the load average. Works in a
throwaway test database (test_<name>), created and dropped here.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_TESTING", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

BENCH_PASSWORD = "bench-only"  # noqa: S105 - users of a throwaway test database


def setup_people():
    from datetime import time as clock

    from escalation.models import TeamCalendar, WorkingPeriod
    from tickets.models import Customer, Membership, Queue, Team
    from tickets.roles import Role
    from tickets.services import user_create_with_role

    team = Team.objects.create(slug="bench", name="Bench", time_zone="UTC")
    calendar = TeamCalendar.objects.create(team=team, time_zone="UTC")
    WorkingPeriod.objects.bulk_create(
        [WorkingPeriod(calendar=calendar, weekday=d, start=clock(0), end=clock(0)) for d in range(7)])
    supervisors = []
    for i in range(3):
        user = user_create_with_role(username=f"benchsup{i}", password=BENCH_PASSWORD, role=Role.SUPERVISOR,
                                     email=f"benchsup{i}@example.com", first_name="Sup", last_name=str(i))
        Membership.objects.create(team=team, user=user, role=Membership.TeamRole.SUPERVISOR)
        supervisors.append(user)
    manager = user_create_with_role(username="benchmanager", password=BENCH_PASSWORD, role=Role.SUPERVISOR,
                                    email="benchmanager@example.com")
    for i in range(2):
        user_create_with_role(username=f"benchadmin{i}", password=BENCH_PASSWORD, role=Role.ADMIN,
                              email=f"benchadmin{i}@example.com")
    queue = Queue.objects.create(slug="bench", name="Bench", team=team, is_default=True, manager=manager)
    customer = Customer.objects.create(name="Customer", email="bench@example.com")
    return {"team": team, "queue": queue, "supervisors": supervisors, "customer": customer}


def overdue(ctx, n: int, now) -> list[int]:
    from escalation.models import Escalation
    from tickets.models import Ticket

    Escalation.objects.all().delete()
    Ticket.objects.all().delete()
    tickets = Ticket.objects.bulk_create([
        Ticket(reference=f"B-{i}", subject=f"Bench {i}", description="x", customer=ctx["customer"],
               queue=ctx["queue"], status="open", created_at=now - timedelta(hours=1)) for i in range(n)])
    escalations = Escalation.objects.bulk_create([
        Escalation(ticket=t, queue=ctx["queue"], team=ctx["team"], trigger="manual", reason_text="bench",
                   assigned_to=ctx["supervisors"][i % 3], created_at=now - timedelta(minutes=40),
                   routing="bench", ack_due_at=now - timedelta(minutes=1))
        for i, t in enumerate(tickets)])
    return [e.pk for e in escalations]


def measure(callable_):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        callable_()
        elapsed = time.perf_counter() - start
    return elapsed, len(queries)


def run(sizes: list[int]) -> None:
    from escalation.services.notifications import batched
    from escalation.services.rules import memoised
    from escalation.services.tier_up import escalation_tier_up, escalations_tier_up_many

    ctx = setup_people()
    now = timezone.now()
    results = {}
    for n in sizes:
        ids = overdue(ctx, n, now)

        def one_by_one(ids=ids):
            with memoised(), batched():  # as inside the sweep
                for escalation_id in ids:
                    escalation_tier_up(escalation_id=escalation_id, now=now)

        single_time, single_q = measure(one_by_one)
        ids = overdue(ctx, n, now)

        def batch(ids=ids):
            with memoised(), batched():
                escalations_tier_up_many(escalation_ids=ids, now=now)

        batch_time, batch_q = measure(batch)
        results[n] = {"single": single_time, "batch": batch_time}
        print(f"{n:>5} overdue: one by one {single_time * 1000:8.1f} ms {single_q:5d} queries | "
              f"batch {batch_time * 1000:7.1f} ms {batch_q:3d} queries | speed-up x{single_time / batch_time:.1f}",
              flush=True)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"ratio {sizes[-1]}/{sizes[0]}: one by one x{large['single'] / small['single']:.1f}, "
              f"batch x{large['batch'] / small['batch']:.1f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    from escalation_bench import run_in_throwaway_db  # bench/ is the script's directory

    run_in_throwaway_db(run, [10, 100, 500])


if __name__ == "__main__":
    main()
