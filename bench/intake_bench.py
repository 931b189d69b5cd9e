"""Benchmark of customer intake at several history sizes: email intake (new tickets and threaded
replies), the public follow page and a customer's "my tickets" list.

    DATABASE_URL=postgres://delightdesk:delightdesk@127.0.0.1:5432/dd_intake_bench \
        .venv/bin/python bench/intake_bench.py [--sizes 1000,10000,100000] [--emails 100]

The history is bulk-created and only ever topped up: N email tickets, each with a customer email
(Message-ID set, as the intake stores it) and a staff reply whose notification Message-ID is set
(what In-Reply-To threading matches), an InboundEmail row and a sent NotificationLog per ticket.
At each size it ingests `--emails` new emails and as many threaded replies (In-Reply-To the signed
Message-ID of one of the newest tickets' confirmations) through `ticket_create_from_email`, and times
the follow page and "my tickets" through Django's test client. It prints the median and p90 in ms and
the SQL queries per operation, then the ratio of the largest size's median to the smallest's: threading looks ids up in
indexed columns, so the cost should not grow with the history.

    .venv/bin/python bench/intake_bench.py --memory [--mb 1,5,20]

`--memory` instead pipes emails of 1, 5 and 20 MB into `manage.py ingest_email` (a fresh process each,
on a throwaway SQLite database, DEBUG off, as an MTA runs it) and prints each process's peak resident
memory: a plain-text mail, an HTML mail, and a short text with one attachment of that size (files over
ATTACHMENT_MAX_BYTES are left out before parsing, kept in the attached original). It prints the peak
above a tiny email's, and that growth per MB of mail: it should stay flat (a few MB per MB: the raw
bytes and the database's copy), not grow with the text as it did (20 MB of text cost 480 MB).
"""

import argparse
import base64
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_TESTING", "1")  # test-mode settings: dev key, plain HTTP for the test client

DOMAIN = "intake-bench.example.com"
BENCH_PASSWORD = uuid.uuid4().hex  # nobody logs in as the bench users
EMAILS = ROOT / "tests" / "tickets" / "emails"


def setup() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _structure():
    from accounts.models import Team
    from tickets.models import Queue

    team, _ = Team.objects.get_or_create(slug="intake-bench", defaults={"name": "Intake bench"})
    queue, _ = Queue.objects.get_or_create(slug="intake-bench", defaults={"team": team, "name": "Intake bench"})
    if not Queue.objects.filter(is_default=True).exists():
        Queue.objects.filter(pk=queue.pk).update(is_default=True)
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.filter(username="intake-bench-agent").first()
    if agent is None:
        from accounts.roles import Role
        from accounts.services import user_create_with_role

        agent = user_create_with_role(username="intake-bench-agent", password=BENCH_PASSWORD, role=Role.AGENT,
                                      email=f"agent@{DOMAIN}")
    return queue, agent


def ensure_history(target: int, *, batch: int = 5000) -> None:
    """Top the database up to `target` bench tickets, with bulk_create."""
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import Customer
    from tickets.models import InboundEmail, Message, NotificationLog, Ticket

    queue, agent = _structure()
    have = Ticket.objects.filter(customer__email__endswith=f"@{DOMAIN}").count()
    if have >= target:
        return
    start = time.perf_counter()
    prefix = settings.TICKET_REFERENCE_PREFIX
    now = timezone.now()
    while have < target:
        n = min(batch, target - have)
        next_id = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        customers = Customer.objects.bulk_create(
            [Customer(name=f"Bench customer {have + i}", email=f"c{have + i}@{DOMAIN}") for i in range(n)],
            batch_size=batch,
        )
        tickets = [
            Ticket(id=next_id + i, reference=f"{prefix}-{next_id + i + 1000}", subject=f"Bench ticket {have + i}",
                   description="My parcel did not arrive.", customer=customers[i], queue=queue,
                   channel=Ticket.Channel.EMAIL, status=Ticket.Status.OPEN, created_at=now, updated_at=now)
            for i in range(n)
        ]
        Ticket.objects.bulk_create(tickets, batch_size=batch)
        messages, inbound, logs = [], [], []
        for ticket in tickets:
            customer_id = f"<{uuid.uuid4().hex}@{DOMAIN}>"
            messages.append(Message(ticket=ticket, author_customer=ticket.customer, body="Any news?",
                                    channel=Ticket.Channel.EMAIL, email_message_id=customer_id, created_at=now))
            messages.append(Message(ticket=ticket, author_user=agent, body="On its way.", created_at=now,
                                    email_message_id=f"<dd.{ticket.reference}.{uuid.uuid4().hex[:8]}@{DOMAIN}>"))
            inbound.append(InboundEmail(message_id=customer_id, sender=ticket.customer.email, subject=ticket.subject,
                                        raw=b"", outcome=InboundEmail.Outcome.REPLY, ticket=ticket))
            logs.append(NotificationLog(kind=NotificationLog.Kind.CONFIRMATION, ticket=ticket,
                                        recipient=ticket.customer.email, state=NotificationLog.State.SENT,
                                        email_message_id=f"<dd.{ticket.reference}.0@{DOMAIN}>", sent_at=now))
        Message.objects.bulk_create(messages, batch_size=batch)
        InboundEmail.objects.bulk_create(inbound, batch_size=batch)
        NotificationLog.objects.bulk_create(logs, batch_size=batch)
        have += n
    _after_bulk()
    print(f"  history topped up to {target} tickets in {time.perf_counter() - start:.1f} s", flush=True)


def _after_bulk() -> None:
    """Explicit ids were written: move the id sequence past them, and refresh the planner's statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), (SELECT MAX(id) FROM "
                           "tickets_ticket))")
            cursor.execute("ANALYZE")


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]


def _queries(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def bench_size(size: int, emails: int, runs: int) -> dict:
    from django.test import Client

    from tickets.models import Message, Ticket
    from tickets.services.email_intake import ticket_create_from_email
    from tickets.services.notifications import confirmation_message_id
    from tickets.tokens import follow_token_for

    ensure_history(size)
    new_template = (EMAILS / "multipart_alternative_utf8.eml").read_bytes()
    results = {}

    def new_email():
        unique = uuid.uuid4().hex
        return new_template.replace(b"CAF3k9xT2-utf8-alt@mail.example.ee", f"{unique}@mail.example.ee".encode()) \
            .replace(b"mari.tamm@example.ee", f"new-{unique[:12]}@example.ee".encode())

    times = []
    for _ in range(emails):
        raw = new_email()
        start = time.perf_counter()
        result = ticket_create_from_email(raw=raw)
        times.append((time.perf_counter() - start) * 1000)
        assert result.inbound.outcome == "new_ticket", result.summary
    results["email: new ticket"] = (*_stats(times), _queries(lambda: ticket_create_from_email(raw=new_email())))

    staff_replies = list(
        Message.objects.filter(author_user__isnull=False, ticket__customer__email__endswith=f"@{DOMAIN}")
        .select_related("ticket__customer").order_by("-id")[: emails + 1]
    )

    def reply_email(message):
        return (
            f"From: {message.ticket.customer.email}\r\nTo: support@{DOMAIN}\r\nSubject: Re: {message.ticket.subject}"
            f"\r\nMessage-ID: <{uuid.uuid4().hex}@{DOMAIN}>\r\n"
            f"In-Reply-To: {confirmation_message_id(message.ticket)}\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nThank you!\r\n"
        ).encode()

    times = []
    for message in staff_replies[:emails]:
        raw = reply_email(message)
        start = time.perf_counter()
        result = ticket_create_from_email(raw=raw)
        times.append((time.perf_counter() - start) * 1000)
        assert result.inbound.outcome == "reply", result.summary
    results["email: threaded reply"] = (*_stats(times), _queries(lambda: ticket_create_from_email(
        raw=reply_email(staff_replies[-1]))))

    ticket = Ticket.objects.filter(customer__email__endswith=f"@{DOMAIN}").order_by("id").first()
    client = Client()
    url = f"/t/{follow_token_for(ticket)}/"
    results["follow page"] = _time_get(client, url, runs)
    return results


def _time_get(client, url: str, runs: int):
    for _ in range(2):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return (*_stats(times), _queries(lambda: client.get(url)))


def bench_my_tickets(counts: list[int], runs: int) -> dict:
    """A logged-in customer's list with few and many tickets of their own."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Customer
    from accounts.roles import Role
    from accounts.services import user_create_with_role
    from tickets.models import Ticket

    queue, _agent = _structure()
    out = {}
    for count in counts:
        username = f"intake-bench-customer-{count}"
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first() or user_create_with_role(
            username=username, password=BENCH_PASSWORD, role=Role.CUSTOMER, email=f"{username}@{DOMAIN}.invalid")
        customer = Customer.objects.get(user=user)
        missing = count - customer.tickets.count()
        if missing > 0:
            from django.db.models import Max

            next_id = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            now = timezone.now()
            Ticket.objects.bulk_create([
                Ticket(id=next_id + i, reference=f"MY-{next_id + i}", subject=f"Mine {i}", description="x",
                       customer=customer, queue=queue, created_at=now, updated_at=now)
                for i in range(missing)
            ])
            _after_bulk()
        client = Client()
        client.force_login(user)
        out[count] = _time_get(client, "/my/tickets/", runs)
    return out


def _memory_emails(megabytes: int) -> dict[str, bytes]:
    size = megabytes * 1024 * 1024
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n"
    html_line = b"<p style='margin:0'>Lorem ipsum <b>dolor</b> sit amet, consectetur adipiscing elit.</p>\r\n"
    encoded = base64.encodebytes(b"%PDF-1.4\n" + os.urandom(size * 3 // 4))

    def email(kind: str, content_type: str, body: bytes) -> bytes:
        head = (f"From: bench-{kind}-{megabytes}@example.com\r\nTo: support@{DOMAIN}\r\nSubject: {kind} {megabytes} MB"
                f"\r\nMessage-ID: <{uuid.uuid4().hex}@{DOMAIN}>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}"
                "\r\n\r\n")
        return head.encode() + body

    attachment = (b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scan is attached.\r\n--b\r\n"
                  b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n"
                  b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"--b--\r\n")
    return {
        "plain text": email("plain", "text/plain; charset=utf-8", line * (size // len(line))),
        "html": email("html", "text/html; charset=utf-8", html_line * (size // len(html_line))),
        "attachment": email("file", 'multipart/mixed; boundary="b"', attachment),
    }


def _peak_rss_mb(raw: bytes, env: dict) -> tuple[float, int, str]:
    """Peak resident memory (MB) of one `manage.py ingest_email` process fed `raw`, its exit code, its output."""
    import subprocess

    process = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "ingest_email"], cwd=ROOT, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    process.stdin.write(raw)
    process.stdin.close()
    output = process.stdout.read().decode().strip()
    _pid, status, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), output


def bench_memory(megabytes: list[int]) -> None:
    import subprocess
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="intake-memory-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'desk.sqlite3'}", "DEBUG": "0",
           "DJANGO_TESTING": "0", "SECRET_KEY": uuid.uuid4().hex * 2, "EMAIL_URL": "", "REDIS_URL": "",
           "MEDIA_ROOT": str(folder / "media"), "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    tiny = (f"From: tiny@example.com\r\nSubject: tiny\r\nMessage-ID: <{uuid.uuid4().hex}@{DOMAIN}>\r\n\r\n"
            "Hello\r\n").encode()
    _peak_rss_mb(tiny, env)  # the first ticket creates the default queue
    tiny = tiny.replace(b"Message-ID: <", b"Message-ID: <2")
    base, _code, _out = _peak_rss_mb(tiny, env)
    print(f"peak resident memory of `manage.py ingest_email` (a tiny email: {base:.0f} MB)")
    growth: dict[str, dict[int, float]] = {}
    for mb in megabytes:
        for kind, raw in _memory_emails(mb).items():
            peak, code, output = _peak_rss_mb(raw, env)
            growth.setdefault(kind, {})[mb] = peak - base
            print(f"  {kind:11s} {len(raw) / 1048576:5.1f} MB mail: peak {peak:6.0f} MB, {peak - base:+5.0f} MB "
                  f"= {(peak - base) / mb:4.1f} MB per MB of mail  (exit {code}: {output[:60]})", flush=True)
    print(f"ratio of the growth at {megabytes[-1]} MB to that at {megabytes[0]} MB "
          f"(the mail is {megabytes[-1] / megabytes[0]:.0f}x larger):")
    for kind, by_size in growth.items():
        first, last = by_size[megabytes[0]], by_size[megabytes[-1]]
        print(f"  {kind:11s} {last / first if first > 0 else float('nan'):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--emails", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--memory", action="store_true", help="peak memory of ingest_email at --mb sizes instead")
    parser.add_argument("--mb", default="1,5,20")
    args = parser.parse_args()
    if args.memory:
        bench_memory([int(m) for m in args.mb.split(",")])
        return
    setup()
    from django.db import connection

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"database: {connection.vendor}; {args.emails} emails of each kind per size; {args.runs} page runs")
    table: dict[str, dict[int, tuple]] = {}
    for size in sizes:
        print(f"size {size} tickets:", flush=True)
        for name, (median, p90, queries) in bench_size(size, args.emails, args.runs).items():
            table.setdefault(name, {})[size] = (median, p90, queries)
            print(f"  {name:24s} median {median:7.2f} ms   p90 {p90:7.2f} ms   {queries:3d} queries", flush=True)
    print("ratio of the largest size's median to the smallest's:")
    for name, by_size in table.items():
        print(f"  {name:24s} {by_size[sizes[-1]][0] / by_size[sizes[0]][0]:.2f}x ({sizes[-1]} / {sizes[0]})")
    print("my tickets (a customer's own list, 20 per page):")
    mine = bench_my_tickets([5, 500], args.runs)
    for count, (median, p90, queries) in mine.items():
        print(f"  {count:5d} own tickets        median {median:7.2f} ms   p90 {p90:7.2f} ms   {queries:3d} queries")
    print(f"  ratio 500 / 5: {mine[500][0] / mine[5][0]:.2f}x")


if __name__ == "__main__":
    main()
