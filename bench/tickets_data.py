"""Benchmark data for the agent's workspace: N tickets with 5 messages each, made with bulk_create.

    DATABASE_URL=postgres://... .venv/bin/python bench/tickets_data.py 10000

Tops the database up to N benchmark tickets (it never deletes): running it for 1k, then 10k, then
100k adds only the difference. The shape is that of a desk that has run for a while at ~50
tickets a day: the newest two weeks are the open workload (new, open, pending), everything older is
resolved or closed. So the open backlog stays about the same size as the history grows, as on a
real desk, and the history is what the 100k measurements add.

Layout: 4 teams x 2 queues, 5 agents per team, ~1 customer per 4 tickets, 15 tags on ~30% of
tickets; ticket i sits in queue i % 8; its first message quotes order number ORD-(100000 + i);
about 2% of messages mention a "refund".
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKETS_PER_DAY = 50
OPEN_WINDOW_DAYS = 14
MESSAGES_PER_TICKET = 5
TEAMS = 4
QUEUES_PER_TEAM = 2
AGENTS_PER_TEAM = 5
TAG_NAMES = [f"bench-{name}" for name in (
    "vip", "billing", "shipping", "returns", "bug", "feature", "login", "invoice", "damaged", "late",
    "refund", "mobile", "api", "press", "partner")]
WORDS = [
    "printer", "paper", "ink", "cartridge", "order", "delivery", "parcel", "address", "invoice", "payment",
    "card", "account", "password", "login", "screen", "colour", "photo", "frame", "canvas", "poster", "size",
    "border", "quality", "glossy", "matte", "upload", "file", "preview", "proof", "shipping", "courier",
    "tracking", "warehouse", "package", "box", "label", "weekend", "morning", "evening", "thanks", "please",
    "hello", "again", "still", "waiting", "update", "question", "problem", "answer", "help", "support",
    "team", "today", "yesterday", "tomorrow", "week", "month", "price", "discount", "voucher", "code",
    "website", "app", "phone", "email", "wrong", "missing", "broken", "late", "early", "fast", "slow",
    "happy", "unhappy", "great", "nice", "kind", "quick", "clear",
]
BENCH_DOMAIN = "bench.example.com"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    # Test-mode settings: plain HTTP for the test client, no manifest for static files, dev key.
    os.environ.setdefault("DJANGO_TESTING", "1")
    import django

    django.setup()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _structure():
    """Teams, queues, agents and tags (idempotent)."""
    from accounts.models import Membership, Team
    from accounts.roles import Role
    from accounts.services import user_create_with_role
    from tickets.models import Queue, Tag

    queues, agents_by_team = [], {}
    for t in range(TEAMS):
        team, _ = Team.objects.get_or_create(slug=f"bench-team-{t}", defaults={"name": f"Bench team {t}"})
        for q in range(QUEUES_PER_TEAM):
            queue, _ = Queue.objects.get_or_create(
                slug=f"bench-queue-{t}-{q}", defaults={"team": team, "name": f"Bench queue {t}.{q}"})
            queues.append(queue)
        agents = []
        for a in range(AGENTS_PER_TEAM):
            username = f"bench-agent-{t}-{a}"
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                user = user_create_with_role(
                    username=username, password="bench-not-secret", role=Role.AGENT,  # noqa: S106
                    first_name="Agent", last_name=f"{t}.{a}")
                Membership.objects.create(team=team, user=user)
            agents.append(user)
        agents_by_team[team.pk] = agents
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAG_NAMES]
    return queues, agents_by_team, tags


def bench_ticket_count() -> int:
    from tickets.models import Ticket

    return Ticket.objects.filter(queue__slug__startswith="bench-queue-").count()


def _trigram_indexes(action: str) -> None:
    """Drop the search indexes before a big load and build them after: much faster than maintaining them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import importlib

    indexes = {}
    for module in ("0004_search_indexes", "0005_search_document_and_ranks"):
        indexes.update(importlib.import_module(f"tickets.migrations.{module}").INDEXES)
    with connection.cursor() as cursor:
        for name, definition in indexes.items():
            if action == "drop":
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            else:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def ensure_tickets(target: int, *, batch: int = 5000, verbose: bool = True) -> int:
    """Add benchmark tickets until there are `target`; returns how many were added."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import Customer
    from tickets.models import Message, Ticket, TicketEvent

    queues, agents_by_team, tags = _structure()
    have = bench_ticket_count()
    if have >= target:
        return 0
    started = time.monotonic()
    big = target - have > 20000
    if big:
        _trigram_indexes("drop")
    now = timezone.now()
    seconds_apart = 86400 / TICKETS_PER_DAY
    S = Ticket.Status
    tag_through = Ticket.tags.through
    prefix = settings.TICKET_REFERENCE_PREFIX
    for start in range(have, target, batch):
        stop = min(start + batch, target)
        rng = random.Random(start)
        with transaction.atomic():
            # Customers: one per 4 tickets, reused by later tickets.
            first_customer = start // 4
            customers_needed = (stop + 3) // 4
            existing = {c.email: c for c in Customer.objects.filter(
                email__in=[f"bench{k}@{BENCH_DOMAIN}" for k in range(first_customer, customers_needed)])}
            new_customers = [
                Customer(name=f"Customer {k}", email=f"bench{k}@{BENCH_DOMAIN}", company=f"Company {k % 300}",
                         monthly_spend=100)
                for k in range(first_customer, customers_needed) if f"bench{k}@{BENCH_DOMAIN}" not in existing
            ]
            Customer.objects.bulk_create(new_customers, batch_size=batch)
            customers = {c.email: c for c in Customer.objects.filter(
                email__in=[f"bench{k}@{BENCH_DOMAIN}" for k in range(first_customer, customers_needed)])}
            next_id = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            tickets, messages, events, links = [], [], [], []
            for i in range(start, stop):
                pk = next_id + (i - start)
                queue = queues[i % len(queues)]
                agents = agents_by_team[queue.team_id]
                created = now - timedelta(seconds=i * seconds_apart + rng.random() * 60)
                age_days = (now - created).days
                if age_days < OPEN_WINDOW_DAYS:
                    status = rng.choice([S.NEW, S.OPEN, S.OPEN, S.PENDING])
                    assignee = rng.choice(agents) if rng.random() < 0.6 and status != S.NEW else None
                else:
                    status = S.CLOSED if rng.random() < 0.95 else S.RESOLVED
                    assignee = rng.choice(agents)
                customer = customers[f"bench{i // 4}@{BENCH_DOMAIN}"]
                last = created + timedelta(hours=MESSAGES_PER_TICKET * 3)
                subject, description = f"{_sentence(rng, 4)} ({i})".capitalize(), _sentence(rng, 25)
                # The search document, as tickets.services.search keeps it.
                document = [customer.name, customer.email, subject, description]
                ticket = Ticket(
                    id=pk, reference=f"{prefix}-{pk + 1000}", subject=subject,
                    description=description, customer=customer, queue=queue, assignee=assignee,
                    priority=rng.choices(Ticket.Priority.values, weights=(20, 60, 15, 5))[0],
                    kind=rng.choices(Ticket.Kind.values, weights=(60, 30, 10))[0], status=status,
                    channel=rng.choice(Ticket.Channel.values), created_at=created, updated_at=last,
                    first_response_at=created + timedelta(hours=2) if status != S.NEW else None,
                    resolved_at=last if status in (S.RESOLVED, S.CLOSED) else None,
                    closed_at=last if status == S.CLOSED else None,
                )
                tickets.append(ticket)
                for m in range(MESSAGES_PER_TICKET):
                    from_customer = m % 2 == 0
                    words = _sentence(rng, 18)
                    if m == 0:
                        words = f"my order ORD-{100000 + i} {words}"
                    if rng.random() < 0.02:
                        words += " I would like a refund"
                    note = not from_customer and m == 3
                    document.append(words)
                    messages.append(Message(
                        ticket_id=pk, kind=Message.Kind.NOTE if note else Message.Kind.REPLY, body=words,
                        author_customer=customer if from_customer else None,
                        author_user=None if from_customer else (assignee or agents[0]),
                        created_at=created + timedelta(hours=m * 3),
                    ))
                ticket.search_document = "\n".join(document).casefold()
                events.append(TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.CREATED, to_value="web",
                                          created_at=created))
                if status != S.NEW:
                    events.append(TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.STATUS, actor=assignee,
                                              from_value=S.NEW, to_value=status, created_at=last))
                if rng.random() < 0.3:
                    links.append(tag_through(ticket_id=pk, tag_id=rng.choice(tags).pk))
            Ticket.objects.bulk_create(tickets, batch_size=batch)
            Message.objects.bulk_create(messages, batch_size=batch)
            TicketEvent.objects.bulk_create(events, batch_size=batch)
            tag_through.objects.bulk_create(links, batch_size=batch)
        if verbose:
            print(f"  {stop:>7} tickets ({time.monotonic() - started:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # bulk_create set explicit ids: move the sequence past them for the services' inserts.
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                           "(SELECT MAX(id) FROM tickets_ticket))")
    if big:
        _trigram_indexes("create")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return target - have


def main() -> None:
    setup_django()
    from django.core.management import call_command

    target = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    call_command("migrate", verbosity=0)
    added = ensure_tickets(target)
    print(f"{bench_ticket_count()} benchmark tickets ({added} added)")


if __name__ == "__main__":
    main()
