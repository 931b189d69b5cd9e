"""Demo queues, canned replies and tickets in every state, spread over the last eight weeks (the people and
teams are accounts' demo, seeded before this one)."""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import demo as people
from accounts.models import Membership, Team
from accounts.selectors import staff_in_team
from tickets import events, services
from tickets.models import Macro, Message, Queue, Ticket

User = get_user_model()
QUEUES = [
    ("General", "general", "customer-care", True),
    ("Billing", "billing", "customer-care", False),
    ("Technical", "technical", "technical-support", False),
]
SUBJECTS = [
    ("Invoice charged twice", "billing", Ticket.Kind.COMPLAINT),
    ("Cannot log in after password reset", "technical", Ticket.Kind.PROBLEM),
    ("How do I change my delivery address?", "general", Ticket.Kind.QUESTION),
    ("Printer keeps jamming on thick paper", "technical", Ticket.Kind.PROBLEM),
    ("Refund for a damaged order", "billing", Ticket.Kind.COMPLAINT),
    ("Do you ship to Finland?", "general", Ticket.Kind.QUESTION),
    ("App crashes when I upload a photo", "technical", Ticket.Kind.PROBLEM),
    ("Nobody answered my last two emails", "general", Ticket.Kind.COMPLAINT),
    ("Discount code not accepted", "billing", Ticket.Kind.PROBLEM),
    ("Can I pause my subscription?", "billing", Ticket.Kind.QUESTION),
]
REPLIES = [
    "Thanks for writing, {name}. I have looked into it and fixed the problem on our side.",
    "Sorry for the trouble, {name}. Could you send us a photo of the label?",
    "Good news, {name}: the refund is on its way and should arrive within three working days.",
]
MACROS = [
    ("Greeting", "Hello {customer_name},\n\nthank you for contacting us about {reference}.\n\n"),
    ("Waiting for details", "Hello {customer_name},\n\ncould you send us a bit more detail so we can help?\n\n"
                            "Best regards,\n{agent_name}"),
    ("Resolved", "Hello {customer_name},\n\nwe believe {reference} is now solved. Reply to this email if "
                 "anything is still wrong.\n\n{agent_name}"),
]


def seed(command) -> None:
    rng = command.rng  # after accounts' demo drew from it
    queues = _queues()
    staff = people.staff()
    customers = people.customers()
    _macros()
    if Ticket.objects.exists():
        command.stdout.write("  tickets already present: skipped")
        return
    # History, not live changes: no follow-ups, no notifications; one transaction (SQLite commits are slow).
    with events.muted(), transaction.atomic():
        _tickets(command, rng, queues, staff, customers)


def _queues() -> dict[str, Queue]:
    """The queues of the demo teams (made by accounts' demo); Billing is managed by a supervisor."""
    teams = {team.slug: team for team in Team.objects.filter(slug__in=[q[2] for q in QUEUES])}
    queues = {}
    for name, slug, team_slug, is_default in QUEUES:
        queues[slug], _ = Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "team": teams[team_slug], "is_default": is_default}
        )
    Queue.objects.filter(slug="billing", manager__isnull=True).update(manager=people.staff()["liisa"])
    return queues


def _macros():
    for name, body in MACROS:
        Macro.objects.get_or_create(name=name, defaults={"body": body})


# The status of ticket i is STATUSES[i % 20]: a desk that keeps up with its work. Most of the history
# is closed; a few days' worth is open or resolved (resolved tickets close after
# TICKET_AUTO_CLOSE_DAYS, so none is older than that); new tickets arrived in the last minutes.
_S = Ticket.Status
STATUSES = [_S.NEW] + [_S.OPEN] * 2 + [_S.PENDING] + [_S.RESOLVED] * 3 + [_S.CLOSED] * 13
NEW_WITHIN = timedelta(minutes=25)  # shorter than any SLA warning: no new ticket is overdue when the desk starts
OPEN_WITHIN = timedelta(days=4)
RESOLVED_WITHIN = timedelta(days=6)  # and within 80% of TICKET_AUTO_CLOSE_DAYS (7 by default)
CLOSED_FROM, CLOSED_TO = timedelta(days=56), timedelta(days=10)


def _created_at(rng: random.Random, status: str, now):
    if status == _S.NEW:
        return now - rng.uniform(0.05, 1) * NEW_WITHIN
    if status in (_S.OPEN, _S.PENDING):
        return now - timedelta(hours=1) - rng.uniform(0, 1) * OPEN_WITHIN
    if status == _S.RESOLVED:
        within = min(RESOLVED_WITHIN, timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS) * 0.8)
        return now - timedelta(hours=3) - rng.uniform(0, 1) * within
    return now - CLOSED_TO - rng.uniform(0, 1) * (CLOSED_FROM - CLOSED_TO)


def _reply_delay(rng: random.Random, status: str) -> timedelta:
    """How long the customer waited for the first answer. Open work was answered within the hour
    (inside every first-response target); in the history, one answer in five took longer."""
    if status in (_S.OPEN, _S.PENDING) or rng.random() < 0.8:
        return timedelta(minutes=rng.uniform(5, 55))
    return timedelta(hours=rng.uniform(1, 20))


def _tickets(command, rng, queues, staff, customers):
    now = timezone.now()
    agents = Membership.TeamRole.AGENT
    members = {q.slug: list(staff_in_team(q.team_id, role=agents).order_by("pk")) for q in queues.values()}
    count = command.options["tickets"]
    for i in command.progress(range(count), "tickets", total=count):
        status = STATUSES[i % len(STATUSES)]
        subject, queue_slug, kind = SUBJECTS[(i + i // len(STATUSES)) % len(SUBJECTS)]  # every status, every subject
        customer = customers[0] if i % 15 == 0 else rng.choice(customers)
        created = _created_at(rng, status, now)
        ticket = services.ticket_create(
            customer=customer, subject=subject, description=f"Hello, {subject.lower()}. Order #{10000 + i}.",
            channel=rng.choice(list(Ticket.Channel.values)), queue=queues[queue_slug], kind=kind,
            priority=rng.choice(["low", "normal", "normal", "high", "urgent"]), created_at=created,
        )
        if status == _S.NEW:
            continue
        agent = rng.choice(members[queue_slug])
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        settled = status in (_S.RESOLVED, _S.CLOSED)
        replied = min(created + _reply_delay(rng, status), now - timedelta(hours=2 if settled else 0.5))
        services.ticket_transition(ticket=ticket, to_status=_S.OPEN, actor=agent, at=replied)
        services.message_add(ticket=ticket, body=rng.choice(REPLIES).format(name=customer.name.split()[0]),
                             author_user=agent, created_at=replied)
        if rng.random() < 0.3:
            services.message_add(ticket=ticket, body="Checked the order history; nothing unusual.",
                                 kind=Message.Kind.NOTE, author_user=agent, created_at=replied)
        if status == _S.PENDING:
            services.ticket_transition(ticket=ticket, to_status=_S.PENDING, actor=agent, at=replied)
        if settled:
            resolved = min(replied + timedelta(hours=rng.uniform(0.5, 30)), now - timedelta(hours=1))
            services.ticket_transition(ticket=ticket, to_status=_S.RESOLVED, actor=agent, at=resolved)
            if status == _S.CLOSED:
                closed = min(resolved + timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS), now - timedelta(hours=1))
                services.ticket_transition(ticket=ticket, to_status=_S.CLOSED, actor=None, at=closed)
