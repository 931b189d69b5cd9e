"""Escalation benchmark: the SLA beat task and the supervisor's inbox at 1k, 10k and 100k open tickets.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_escalation \
        .venv/bin/python bench/escalation_bench.py

It prints, per size, the sweep's time and query count with its phases (timed here by wrapping the
functions that do each part, so the services carry no timing code; each part's own time, without the
parts it calls: raise = `escalations_raise_many` (locking, the bulk INSERTs of escalations and history);
route = `routing.load_candidates` and `routing.route`; notify = `notify_many` (the notifications and
their outbox rows); tier up = `escalations_tier_up_many`; select due = the rest of the sweep: the
indexed SELECTs of due alarms and their disarming), an empty sweep, the supervisor's inbox page, then
the largest/smallest ratios and the load average.

Works in a throwaway test database (test_<name>), created and dropped here. At every size the same
number of alarms is due (10 warnings, 10 breaches, 5 complaints), and 1% of the open tickets have an
open escalation; the point is that the sweep's cost follows what is due, not how many tickets are open.
Pass sizes as arguments to change them (e.g. `bench/escalation_bench.py 1000 5000`).
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

DUE_WARNINGS, DUE_BREACHES, DUE_COMPLAINTS = 10, 10, 5
BATCH = 5000
BENCH_PASSWORD = "bench-only"  # noqa: S105 - users of a throwaway test database


def build(n: int) -> dict:
    from datetime import time as clock

    from django.contrib.auth import get_user_model

    from accounts.models import Customer, Membership, Team
    from accounts.roles import Role
    from accounts.services import user_create_with_role
    from escalation.models import Escalation, SlaPolicy, TeamCalendar, TicketSla, WorkingPeriod
    from tickets.models import Queue, Ticket

    Escalation.objects.all().delete()
    TicketSla.objects.all().delete()
    Ticket.objects.all().delete()
    Customer.objects.all().delete()
    user_model = get_user_model()
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench", "time_zone": "Europe/Tallinn"})
    queue, _ = Queue.objects.get_or_create(slug="bench", defaults={"name": "Bench", "team": team, "is_default": True})
    calendar, created = TeamCalendar.objects.get_or_create(team=team, defaults={"time_zone": "UTC"})
    if created:
        WorkingPeriod.objects.bulk_create(
            [WorkingPeriod(calendar=calendar, weekday=d, start=clock(0), end=clock(0)) for d in range(7)]
        )
    SlaPolicy.objects.get_or_create(queue=None, priority="normal",
                                    defaults={"first_response_hours": 4, "resolution_hours": 24})
    supervisors = list(user_model.objects.filter(username__startswith="benchsup"))
    if not supervisors:
        for i in range(3):
            user = user_create_with_role(username=f"benchsup{i}", password=BENCH_PASSWORD, role=Role.SUPERVISOR,
                                         email=f"benchsup{i}@example.com", first_name="Sup", last_name=str(i))
            Membership.objects.create(team=team, user=user, role=Membership.TeamRole.SUPERVISOR)
            supervisors.append(user)
        agent = user_create_with_role(username="benchagent", password=BENCH_PASSWORD, role=Role.AGENT,
                                      email="benchagent@example.com")
        Membership.objects.create(team=team, user=agent, role=Membership.TeamRole.AGENT)
    agent = user_model.objects.get(username="benchagent")
    customers = Customer.objects.bulk_create(
        [Customer(name=f"Customer {i}", email=f"bench{i}@example.com") for i in range(min(n, 2000))]
    )
    now = timezone.now()
    future = now + timedelta(days=30)
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        tickets = Ticket.objects.bulk_create([
            Ticket(reference=f"B-{start + i}", subject=f"Bench ticket {start + i}", description="x",
                   customer=customers[(start + i) % len(customers)], queue=queue, status="open",
                   assignee=agent if (start + i) % 3 == 0 else None,
                   kind="complaint" if (start + i) % 50 == 0 else "question",
                   created_at=now - timedelta(minutes=start + i))
            for i in range(size)
        ])
        TicketSla.objects.bulk_create([
            TicketSla(ticket=t, first_response_due=future, resolution_due=future, fr_warning_at=future,
                      fr_breach_at=future, res_warning_at=future, res_breach_at=future)
            for t in tickets
        ])
        Escalation.objects.bulk_create([
            Escalation(ticket=t, queue=queue, team=team, trigger="manual", reason_text="bench",
                       assigned_to=supervisors[j % len(supervisors)], created_at=t.created_at,
                       routing="bench", ack_due_at=future)
            for j, t in enumerate(tickets) if j % 100 == 1
        ])
    return {"queue": queue, "supervisor": supervisors[0], "now": now}


def arm_due(now) -> None:
    """Make the same few alarms due at every size (on tickets without an open escalation)."""
    from escalation.models import Escalation, TicketSla

    free = TicketSla.objects.exclude(ticket__escalations__state__in=Escalation.OPEN_STATES).order_by("ticket_id")
    ids = list(free.values_list("ticket_id", flat=True)[: DUE_WARNINGS + DUE_BREACHES + DUE_COMPLAINTS])
    past = now - timedelta(minutes=1)
    TicketSla.objects.filter(ticket_id__in=ids[:DUE_WARNINGS]).update(fr_warning_at=past)
    TicketSla.objects.filter(ticket_id__in=ids[DUE_WARNINGS:DUE_WARNINGS + DUE_BREACHES]).update(fr_breach_at=past)
    TicketSla.objects.filter(ticket_id__in=ids[DUE_WARNINGS + DUE_BREACHES:]).update(complaint_at=past)


class Phases:
    """Exclusive time per part of the sweep: each wrapped function's time minus that of the wrapped
    functions it called."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._stack: list[list[float]] = []
        self._restore: list[tuple[object, str, object]] = []

    def wrap(self, module, attribute: str, name: str) -> None:
        original = getattr(module, attribute)

        def timed(*args, **kwargs):
            frame = [time.perf_counter(), 0.0]  # start, time spent in nested parts
            self._stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                self._stack.pop()
                elapsed = time.perf_counter() - frame[0]
                self.totals[name] = self.totals.get(name, 0.0) + elapsed - frame[1]
                if self._stack:
                    self._stack[-1][1] += elapsed

        self._restore.append((module, attribute, original))
        setattr(module, attribute, timed)

    def __enter__(self):
        from escalation.services import escalations, routing, sla, tier_up

        for module, attribute, name in (
            (sla, "escalations_raise_many", "raise"), (sla, "escalations_tier_up_many", "tier up"),
            (routing, "load_candidates", "route"), (sla, "load_candidates", "route"), (routing, "route", "route"),
            (escalations, "notify_many", "notify"), (sla, "notify_many", "notify"), (tier_up, "notify_many", "notify"),
        ):
            self.wrap(module, attribute, name)
        return self.totals

    def __exit__(self, *exc) -> None:
        for module, attribute, original in reversed(self._restore):
            setattr(module, attribute, original)


def measure(callable_):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        callable_()
        elapsed = time.perf_counter() - start
    return elapsed, len(queries)


PHASES = ("select due", "raise", "route", "notify", "tier up")


def run(sizes: list[int]) -> None:
    from escalation import services

    results = {}
    for n in sizes:
        t0 = time.perf_counter()
        ctx = build(n)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        built = time.perf_counter() - t0
        arm_due(ctx["now"])  # warm-up: a first sweep pays for imports and catalogues, not measured
        services.sla_sweep(now=ctx["now"])
        arm_due(ctx["now"])
        with Phases() as spent:
            sweep_time, sweep_queries = measure(lambda ctx=ctx: services.sla_sweep(now=ctx["now"]))
        spent["select due"] = sweep_time - sum(spent.values())
        empty_time, empty_queries = measure(lambda ctx=ctx: services.sla_sweep(now=ctx["now"]))
        client = Client()
        client.force_login(ctx["supervisor"])
        client.get("/escalations/")  # warm caches (templates, role memo)
        inbox_time, inbox_queries = measure(lambda client=client: client.get("/escalations/"))
        results[n] = {"sweep": sweep_time, "sweep_q": sweep_queries, "empty": empty_time, "empty_q": empty_queries,
                      "inbox": inbox_time, "inbox_q": inbox_queries, **{p: spent.get(p, 0.0) for p in PHASES}}
        print(f"{n:>7} open tickets (built in {built:5.1f} s): "
              f"sweep with {DUE_WARNINGS}+{DUE_BREACHES}+{DUE_COMPLAINTS} due {sweep_time * 1000:8.1f} ms "
              f"{sweep_queries:4d} queries | sweep, nothing due {empty_time * 1000:7.1f} ms {empty_queries:3d} queries"
              f" | inbox {inbox_time * 1000:7.1f} ms {inbox_queries:3d} queries", flush=True)
        print("        sweep phases: " + ", ".join(f"{p} {spent.get(p, 0.0) * 1000:.1f} ms" for p in PHASES),
              flush=True)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]

        def ratio(key):
            return f"x{large[key] / small[key]:.2f}" if small[key] else "n/a"

        print(f"ratio {sizes[-1]}/{sizes[0]}: sweep time {ratio('sweep')} (queries {small['sweep_q']} -> "
              f"{large['sweep_q']}), empty sweep {ratio('empty')} (queries {small['empty_q']} -> {large['empty_q']}), "
              f"inbox time {ratio('inbox')} (queries {small['inbox_q']} -> {large['inbox_q']})")
        print("ratio phases: " + ", ".join(f"{p} {ratio(p)}" for p in PHASES if small[p]))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def run_in_throwaway_db(run, default_sizes: list[int]) -> None:
    """Run `run(sizes)` (sizes from the command line, else the defaults) in a test database made for
    the run and dropped after it (also used by escalation_tier_up_bench.py)."""
    sizes = [int(a) for a in sys.argv[1:]] or default_sizes
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"database: {connection.vendor}; sizes: {sizes}; "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(sizes)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    run_in_throwaway_db(run, [1_000, 10_000, 100_000])


if __name__ == "__main__":
    main()
