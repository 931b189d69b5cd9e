"""Benchmark of the satisfaction reports: the dashboard and each report API at 10k, 100k and 1M ratings.

    createdb dd_reports                     # a database of its own: the generator adds rows
    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_reports \
      .venv/bin/python bench/reports_bench.py               # 10k, 100k, 1M ratings, 200 agents
    # options: --sizes 10000,100000 --runs 5 --explain

The generator tops the database up to N ratings (it never deletes), then rebuilds the report rollups
(`feedback.rollup`, timed and printed with their row counts): one ticket, one answered survey
and one rating per rating, plus 10% surveys sent and never answered, spread over the last 52 weeks;
200 agents in 10 teams (2 queues each), 2,000 customers in 100 companies with a monthly spend, 6
ticket pulses per agent-week (62,400 pulses) and 2,000 NPS answers. Each agent-week has a "mood"
that moves both its stars and its pulses, so the correlation has something to find. On PostgreSQL
the rows go in with COPY (the trigram search index on tickets is dropped during the load and
rebuilt after); elsewhere with bulk_create in batches.

What is timed: full requests through Django's test client as a supervisor-free admin (middleware,
view, SQL, template): the dashboard over the whole year grouped by agent (200 groups) and over the
default 12 weeks, and each report API over the whole year. It prints the median and the best of
`--runs` in ms, and the number of SQL queries, at each size, then the ratio of the largest size's
median to the smallest's. Target: the whole dashboard under 1 s at 1M ratings, a flat query count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 200
TEAMS = 10
QUEUES_PER_TEAM = 2
CUSTOMERS = 2000
COMPANIES = 100
WEEKS = 52
PULSES_PER_AGENT_WEEK = 6
UNANSWERED_SHARE = 0.1
PREFIX = "rbench"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("DJANGO_TESTING", "1")  # the test client's plain HTTP, the dev key
    import django

    django.setup()


# --- Data ------------------------------------------------------------------------------------------------


def _structure():
    """Teams, queues, agents, an admin, customers (idempotent). Returns what the generator needs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import Customer, Membership, Profile, Team
    from accounts.roles import Role
    from tickets.models import Queue

    User = get_user_model()
    teams, queues = [], []
    for t in range(TEAMS):
        team, _ = Team.objects.get_or_create(slug=f"{PREFIX}-team-{t}", defaults={"name": f"Reports bench team {t}"})
        teams.append(team)
        for q in range(QUEUES_PER_TEAM):
            queue, _ = Queue.objects.get_or_create(
                slug=f"{PREFIX}-queue-{t}-{q}", defaults={"team": team, "name": f"Reports bench queue {t}.{q}"}
            )
            queues.append(queue)
    password = make_password(None)
    agent_group, _ = Group.objects.get_or_create(name=Role.AGENT.value)
    admin_group, _ = Group.objects.get_or_create(name=Role.ADMIN.value)
    existing = {u.username: u for u in User.objects.filter(username__startswith=f"{PREFIX}-")}
    new = [
        User(username=f"{PREFIX}-agent-{a}", password=password, first_name="Agent", last_name=str(a),
             email=f"{PREFIX}-agent-{a}@example.com")
        for a in range(AGENTS)
        if f"{PREFIX}-agent-{a}" not in existing
    ]
    if new:
        User.objects.bulk_create(new)
        created = list(User.objects.filter(username__in=[u.username for u in new]))
        agent_group.user_set.add(*created)
        Profile.objects.bulk_create([Profile(user=u) for u in created], ignore_conflicts=True)
        Membership.objects.bulk_create(
            [Membership(team=teams[int(u.username.rsplit("-", 1)[1]) % TEAMS], user=u) for u in created],
            ignore_conflicts=True,
        )
    agents = sorted(
        User.objects.filter(username__startswith=f"{PREFIX}-agent-"), key=lambda u: int(u.username.rsplit("-", 1)[1])
    )
    admin = User.objects.filter(username=f"{PREFIX}-admin").first()
    if admin is None:
        admin = User.objects.create(username=f"{PREFIX}-admin", password=password, email=f"{PREFIX}-admin@example.com")
        admin_group.user_set.add(admin)
        Profile.objects.get_or_create(user=admin)
    if not Customer.objects.filter(email__startswith=f"{PREFIX}-").exists():
        rng = random.Random(7)
        Customer.objects.bulk_create(
            [
                Customer(
                    name=f"Customer {c}",
                    email=f"{PREFIX}-{c}@example.com",
                    company=f"Company {c % COMPANIES}",
                    monthly_spend=Decimal(rng.choice([50, 100, 100, 200, 500])),
                )
                for c in range(CUSTOMERS)
            ],
            batch_size=1000,
        )
    customers = list(Customer.objects.filter(email__startswith=f"{PREFIX}-").values_list("id", "company"))
    return teams, queues, agents, admin, customers


def _columns(model, values: dict) -> tuple[list[str], list]:
    """Every concrete column of `model`: the given ones, then the others at their default (prepared once)."""
    from django.db import connection

    names, constants = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in values or getattr(field, "generated", False):
            continue  # generated columns (the tickets' ranks) are computed by the database
        names.append(field.column)
        constants.append(field.get_db_prep_save(field.get_default(), connection))
    return names, constants


def _copy(model, given: list[str], rows) -> None:
    """COPY rows (tuples in the order of `given` attnames) into the model's table, defaults filled in."""
    from django.db import connection

    extra_names, extra_values = _columns(model, dict.fromkeys(given))
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(f'"{c}"' for c in [fields[g] for g in given] + extra_names)
    extra = tuple(extra_values)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row + extra)


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _search_indexes(action: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import importlib

    try:
        migration = importlib.import_module("tickets.migrations.0004_search_indexes")
    except ImportError:
        return
    with connection.cursor() as cursor:
        for name, definition in getattr(migration, "INDEXES", {}).items():
            if action == "drop":
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            else:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def bench_rating_count() -> int:
    from feedback.models import Rating

    return Rating.objects.filter(queue__slug__startswith=f"{PREFIX}-queue-").count()


def _mood(agent_index: int, week: int) -> float:
    """A deterministic agent-week mood in [-1, 1]: some agents are happier, and weeks drift."""
    rng = random.Random(agent_index * 1000 + week)
    return max(-1.0, min(1.0, 0.5 * ((agent_index % 7) / 3 - 1) + rng.gauss(0, 0.4)))


def _stars(rng: random.Random, mood: float) -> int:
    weights = [max(0.02, 0.10 - 0.08 * mood), max(0.02, 0.08 - 0.05 * mood), 0.12, 0.35, max(0.05, 0.35 + 0.3 * mood)]
    return rng.choices((1, 2, 3, 4, 5), weights)[0]


def ensure_ratings(target: int, *, batch: int = 50_000) -> int:
    """Top the benchmark up to `target` ratings; returns how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from feedback.models import AgentPulse, NpsResponse, Rating, Survey
    from tickets.models import Ticket

    teams, queues, agents, _admin, customers = _structure()
    have = bench_rating_count()
    if have >= target:
        return 0
    add = target - have
    rng = random.Random(have + 1)
    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(weeks=WEEKS)
    span = (now - start).total_seconds()
    team_of_agent = {a.id: teams[i % TEAMS] for i, a in enumerate(agents)}
    queues_of_team = {t.id: [q for q in queues if q.team_id == t.id] for t in teams}
    postgres = connection.vendor == "postgresql"
    if postgres and add > 50_000:
        _search_indexes("drop")
    done = 0
    while done < add:
        n = min(batch, add - done)
        unanswered = int(n * UNANSWERED_SHARE)
        ticket_rows, survey_rows, rating_rows = [], [], []
        with transaction.atomic():
            ticket_id, survey_id, rating_id = _next_id(Ticket), _next_id(Survey), _next_id(Rating)
            for i in range(n + unanswered):
                when = start + dt.timedelta(seconds=rng.random() * span)
                a = rng.randrange(AGENTS)
                agent = agents[a]
                team = team_of_agent[agent.id]
                queue = rng.choice(queues_of_team[team.id])
                customer_id, company = rng.choice(customers)
                kind = rng.choice(("question", "question", "problem", "complaint"))
                tid, sid = ticket_id + i, survey_id + i
                ticket_rows.append((tid, f"Bench ticket {tid}", "bench", customer_id, queue.id, agent.id, kind,
                                    "closed", when, when, when))
                answered = i < n
                survey_rows.append((sid, tid, customer_id, agent.id, queue.id,
                                    "answered" if answered else "sent", when, when, when if answered else None, when))
                if answered:
                    week = int((when - start).total_seconds() // (7 * 86400))
                    stars = _stars(rng, _mood(a, week))
                    rating_rows.append((rating_id + i, sid, tid, customer_id, agent.id, queue.id, team.id, kind,
                                        company, stars, when, when))
            ticket_cols = ["id", "subject", "description", "customer_id", "queue_id", "assignee_id", "kind", "status",
                           "created_at", "updated_at", "resolved_at"]
            survey_cols = ["id", "ticket_id", "customer_id", "agent_id", "queue_id", "state", "due_at", "sent_at",
                           "answered_at", "created_at"]
            rating_cols = ["id", "survey_id", "ticket_id", "customer_id", "agent_id", "queue_id", "team_id",
                           "ticket_kind", "company", "stars", "created_at", "updated_at"]
            if postgres:
                _copy(Ticket, ticket_cols, ticket_rows)
                _copy(Survey, survey_cols, survey_rows)
                _copy(Rating, rating_cols, rating_rows)
            else:
                Ticket.objects.bulk_create([Ticket(**dict(zip(ticket_cols, r, strict=True))) for r in ticket_rows],
                                           batch_size=2000)
                Survey.objects.bulk_create([Survey(**dict(zip(survey_cols, r, strict=True))) for r in survey_rows],
                                           batch_size=2000)
                Rating.objects.bulk_create([Rating(**dict(zip(rating_cols, r, strict=True))) for r in rating_rows],
                                           batch_size=2000)
        done += n
        print(f"  ... {have + done:,} ratings", flush=True)
    if postgres:
        _reset_sequences([Ticket, Survey, Rating])
    if not AgentPulse.objects.filter(agent__in=agents).exists():
        _pulses(agents, queues_of_team, team_of_agent, start, customers)
        NpsResponse.objects.bulk_create(
            [NpsResponse(customer_id=c, company=company, score=rng.randint(0, 10),
                         answered_at=start + dt.timedelta(seconds=rng.random() * span)) for c, company in customers],
            batch_size=2000,
        )
    if postgres and add > 50_000:
        _search_indexes("create")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return add


def rebuild_rollups() -> tuple[float, dict[str, int]]:
    """The generator writes rows directly (COPY): count them into the report rollups, in SQL, timed."""
    from django.db import connection

    from feedback import rollup

    t0 = time.perf_counter()
    rollup.rollup_rebuild()
    elapsed = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in rollup.ROLLUPS:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return elapsed, rollup.rollup_sizes()


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _pulses(agents, queues_of_team, team_of_agent, start, customers) -> None:
    """6 ticket pulses per agent-week on tickets of their own (one bare ticket each), moved by the mood."""
    from feedback.models import AgentPulse
    from tickets.models import Ticket

    rng = random.Random(99)
    first_monday = (start + dt.timedelta(days=7 - start.weekday())).date()
    tickets, pulses = [], []
    for a, agent in enumerate(agents):
        queue = queues_of_team[team_of_agent[agent.id].id][0]
        for w in range(WEEKS - 1):
            week = first_monday + dt.timedelta(weeks=w)
            for _ in range(PULSES_PER_AGENT_WEEK):
                tickets.append(Ticket(subject="pulse", description="bench", customer_id=customers[0][0], queue=queue,
                                      assignee=agent, status="closed"))
                mood = _mood(a, w)
                score = max(1, min(5, round(3.4 + 1.6 * mood + rng.gauss(0, 0.8))))
                pulses.append((agent, week, score))
    created = Ticket.objects.bulk_create(tickets, batch_size=5000)
    AgentPulse.objects.bulk_create(
        [AgentPulse(agent=agent, ticket=t, kind="ticket", score=score, week=week,
                    created_at=dt.datetime.combine(week, dt.time(12), tzinfo=dt.UTC),
                    answered_at=dt.datetime.combine(week, dt.time(12), tzinfo=dt.UTC))
         for t, (agent, week, score) in zip(created, pulses, strict=True)],
        batch_size=5000,
    )


# --- Measurements -------------------------------------------------------------------------------------------


def _measure(client, url: str, params: dict, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        queries = len(ctx.captured_queries)
    return statistics.median(times), min(times), queries


def _explain(sql: str, params) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(r[0] for r in cursor.fetchall()))


def measure(size: int, runs: int, explain: bool) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from reports.dashboard import dashboard_data
    from reports.figures import ReportFilter

    admin = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model().objects.get(
        username=f"{PREFIX}-admin"
    )
    client = Client()
    client.force_login(admin)
    today = timezone.localdate()
    year = {"date_from": (today - dt.timedelta(weeks=WEEKS)).isoformat(), "date_to": today.isoformat()}
    cases = [
        ("dashboard page, 1 year, by agent", reverse("reports:dashboard"), {**year, "group_by": "agent"}),
        ("dashboard page, 12 weeks (default)", reverse("reports:dashboard"), {}),
        ("api csat by agent", reverse("api-reports-csat"), {**year, "group_by": "agent"}),
        ("api asat by week", reverse("api-reports-asat"), {**year, "group_by": "week"}),
        ("api nps by month", reverse("api-reports-nps"), {**year, "group_by": "month"}),
        ("api correlation (+points)", reverse("api-reports-correlation"), year),
        ("api revenue-at-risk", reverse("api-reports-revenue-at-risk"), year),
    ]
    results = {}
    # The dashboard's own queries (selectors only, no template, no other app's panel).
    f = ReportFilter(date_from=today - dt.timedelta(weeks=WEEKS), date_to=today)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            dashboard_data(admin, f, "agent")
            times.append((time.perf_counter() - t0) * 1000)
    results["dashboard queries together, 1 year"] = (statistics.median(times), min(times), len(ctx.captured_queries))
    if explain:
        slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for q in slowest:
            print(f"\n-- {q['time']} s: {q['sql'][:300]}")
    for name, url, params in cases:
        results[name] = _measure(client, url, params, runs)
    reset_queries()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {AGENTS} agents, {WEEKS} weeks")
    from django.test.utils import override_settings

    sizes = [int(s) for s in args.sizes.split(",")]
    table = {}
    for size in sizes:
        t0 = time.perf_counter()
        added = ensure_ratings(size)
        print(f"\n== {size:,} ratings (added {added:,} in {time.perf_counter() - t0:.0f} s) ==")
        rebuild_seconds, sizes_of = rebuild_rollups()
        print(f"  rollup rebuild {rebuild_seconds:.1f} s; rows: "
              + ", ".join(f"{name} {rows:,}" for name, rows in sizes_of.items()))
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            table[size] = measure(size, args.runs, args.explain)
        for name, (median, best, queries) in table[size].items():
            print(f"  {name:<40} median {median:8.1f} ms   best {best:8.1f} ms   {queries:3d} queries")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n== ratio {large:,} / {small:,} (median) ==")
        for name in table[large]:
            ratio = table[large][name][0] / table[small][name][0]
            print(f"  {name:<40} x{ratio:6.1f}   queries {table[small][name][2]} -> {table[large][name][2]}")


if __name__ == "__main__":
    main()
