"""Demo people, teams, queues and tickets in every state, spread over the last eight weeks."""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tickets import events, services
from tickets.models import Customer, Macro, Membership, Message, Queue, Team, Ticket
from tickets.roles import Role

User = get_user_model()
PASSWORD = "demo"  # noqa: S105 - documented demo login; seed_demo refuses to run with DEBUG off

TEAMS = [
    ("Customer Care", "customer-care", "Europe/Tallinn"),
    ("Technical Support", "technical-support", "Europe/Amsterdam"),
]
QUEUES = [
    ("General", "general", "customer-care", True),
    ("Billing", "billing", "customer-care", False),
    ("Technical", "technical", "technical-support", False),
]
# username, first, last, role, teams, language, time zone
STAFF = [
    ("admin", "Ada", "Admin", Role.ADMIN, [], "en", "UTC"),
    ("supervisor", "Mari", "Tamm", Role.SUPERVISOR, ["customer-care", "technical-support"], "et", "Europe/Tallinn"),
    ("liisa", "Liisa", "Kask", Role.SUPERVISOR, ["customer-care"], "et", "Europe/Tallinn"),
    ("daan", "Daan", "de Vries", Role.SUPERVISOR, ["technical-support"], "nl", "Europe/Amsterdam"),
    ("agent", "Jaan", "Sepp", Role.AGENT, ["customer-care"], "en", "Europe/Tallinn"),
    ("sofia", "Sofia", "García", Role.AGENT, ["customer-care"], "es", "Europe/Madrid"),
    ("aino", "Aino", "Virtanen", Role.AGENT, ["customer-care", "technical-support"], "fi", "Europe/Helsinki"),
    ("pieter", "Pieter", "Bakker", Role.AGENT, ["technical-support"], "nl", "Europe/Amsterdam"),
    ("kadri", "Kadri", "Mets", Role.AGENT, ["technical-support"], "et", "Europe/Tallinn"),
]
COMPANIES = ["Purrfect Prints", "Nordic Bikes", "Tulip Logistics", "Sol y Mar", "Sauna Works", "", ""]
FIRST = ["Anna", "Peeter", "Lotte", "Javier", "Mikko", "Eva", "Tiina", "Bram", "Lucía", "Otto", "Kaisa", "Sem"]
LAST = ["Saar", "Jansen", "López", "Korhonen", "Ilves", "Visser", "Martín", "Nieminen", "Lepp", "Smit"]
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
    rng = random.Random(command.options["seed"])
    teams, queues = _teams_and_queues()
    passwords = _DemoPassword()
    staff = _staff(teams, passwords)
    customers = _customers(rng, passwords)
    _macros(teams)
    if Ticket.objects.exists():
        command.stdout.write("  tickets already present: skipped")
        return
    # History, not live changes: no follow-ups, no notifications; one transaction (SQLite commits are slow).
    with events.muted(), transaction.atomic():
        _tickets(command, rng, queues, staff, customers)


def _teams_and_queues():
    teams = {}
    for name, slug, tz in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "time_zone": tz})
    queues = {}
    for name, slug, team_slug, is_default in QUEUES:
        queues[slug], _ = Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "team": teams[team_slug], "is_default": is_default}
        )
    return teams, queues


def _staff(teams, passwords):
    staff = {}
    for username, first, last, role, team_slugs, language, tz in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = passwords.create(
                username=username, role=role, email=f"{username}@delightdesk.localhost",
                first_name=first, last_name=last, language=language, time_zone=tz,
            )
        for slug in team_slugs:
            team_role = Membership.TeamRole.SUPERVISOR if role == Role.SUPERVISOR else Membership.TeamRole.AGENT
            Membership.objects.get_or_create(team=teams[slug], user=user, defaults={"role": team_role})
        staff[username] = user
    Queue.objects.filter(slug="billing", manager__isnull=True).update(manager=staff["liisa"])
    return staff


class _DemoPassword:
    """Every demo login has the same password. A password hash takes about a second by design, so
    the first login is created with the password and the others are given its hash."""

    def __init__(self):
        self.hash = ""

    def create(self, **fields):
        user = services.user_create_with_role(password=None if self.hash else PASSWORD, **fields)
        if not self.hash:
            self.hash = user.password
        else:
            user.password = self.hash
            user.save(update_fields=["password"])
        return user


def _customers(rng, passwords):
    if User.objects.filter(username="customer").exists():
        demo = Customer.objects.get(user__username="customer")
    else:
        user = passwords.create(
            username="customer", role=Role.CUSTOMER, email="customer@example.com",
            first_name="Kai", last_name="Customer", language="en", time_zone="Europe/Tallinn",
        )
        demo = user.customer
        demo.company, demo.monthly_spend = "Purrfect Prints", Decimal("100")
        demo.save(update_fields=["company", "monthly_spend"])
    customers = [demo]
    languages = ["en", "et", "nl", "es", "fi"]
    for i in range(60):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
        email = f"{name.lower().replace(' ', '.').replace('í', 'i')}{i}@example.com"
        customer = services.customer_get_or_create(email=email, name=name, language=languages[i % 5])
        if customer.monthly_spend is None:
            customer.company = COMPANIES[i % len(COMPANIES)]
            customer.monthly_spend = Decimal(rng.choice([20, 50, 100, 100, 250, 500]))
            customer.save(update_fields=["company", "monthly_spend"])
        customers.append(customer)
    return customers


def _macros(teams):
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
    members = {
        q.slug: list(User.objects.filter(memberships__team=q.team, memberships__role="agent")) for q in queues.values()
    }
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
