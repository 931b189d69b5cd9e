"""Demo people: the staff (one login per role, and colleagues in two teams, in five languages and their time
zones), the demo customer's login, and sixty customers who write in. Logins: see README (password `demo`)."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.models import Customer, Membership
from accounts.roles import Role
from accounts.services import (
    customer_get_or_create,
    customer_save,
    team_get_or_create,
    team_member_add,
    user_create_with_role,
)

User = get_user_model()
PASSWORD = "demo"  # noqa: S105 - documented demo login; seed_demo refuses to run with DEBUG off
DEMO_CUSTOMER = "customer"  # the username of the customer who logs in

TEAMS = [
    ("Customer Care", "customer-care", "Europe/Tallinn"),
    ("Technical Support", "technical-support", "Europe/Amsterdam"),
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
GENERATED_CUSTOMERS = 60


def seed(command) -> None:
    rng = command.rng
    teams = {slug: team_get_or_create(slug=slug, name=name, time_zone=tz) for name, slug, tz in TEAMS}
    passwords = _DemoPassword()
    _staff(teams, passwords)
    _customers(rng, passwords)


def staff() -> dict[str, User]:
    """The demo staff by username (for the other apps' demo data)."""
    return {user.username: user for user in User.objects.filter(username__in=[row[0] for row in STAFF])}


def customers() -> list[Customer]:
    """The demo customers: the one who logs in first, then the generated ones in the order they were made."""
    emails = [email for _name, email in _generated()]
    by_email = {c.email: c for c in Customer.objects.filter(email__in=emails)}
    return [Customer.objects.get(user__username=DEMO_CUSTOMER), *(by_email[e] for e in emails if e in by_email)]


def _staff(teams, passwords) -> None:
    for username, first, last, role, team_slugs, language, tz in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = passwords.create(
                username=username, role=role, email=f"{username}@delightdesk.localhost",
                first_name=first, last_name=last, language=language, time_zone=tz,
            )
        for slug in team_slugs:
            team_role = Membership.TeamRole.SUPERVISOR if role == Role.SUPERVISOR else Membership.TeamRole.AGENT
            team_member_add(team=teams[slug], user=user, role=team_role)


class _DemoPassword:
    """Every demo login has the same password. A password hash takes about a second by design, so
    the first login is created with the password and the others are given its hash."""

    def __init__(self):
        self.hash = ""

    def create(self, **fields):
        user = user_create_with_role(password=None if self.hash else PASSWORD, **fields)
        if not self.hash:
            self.hash = user.password
        else:
            user.password = self.hash
            user.save(update_fields=["password"])
        return user


def _generated() -> list[tuple[str, str]]:
    names = [f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}" for i in range(GENERATED_CUSTOMERS)]
    return [(name, f"{name.lower().replace(' ', '.').replace('í', 'i')}{i}@example.com")
            for i, name in enumerate(names)]


def _customers(rng, passwords) -> None:
    if not User.objects.filter(username=DEMO_CUSTOMER).exists():
        user = passwords.create(
            username=DEMO_CUSTOMER, role=Role.CUSTOMER, email="customer@example.com",
            first_name="Kai", last_name="Customer", language="en", time_zone="Europe/Tallinn",
        )
        demo = user.customer
        demo.company, demo.monthly_spend = "Purrfect Prints", Decimal("100")
        customer_save(customer=demo, changed={"company", "monthly_spend"})
    languages = ["en", "et", "nl", "es", "fi"]
    for i, (name, email) in enumerate(_generated()):
        customer = customer_get_or_create(email=email, name=name, language=languages[i % 5])
        if customer.monthly_spend is None:
            customer.company = COMPANIES[i % len(COMPANIES)]
            customer.monthly_spend = Decimal(rng.choice([20, 50, 100, 100, 250, 500]))
            customer_save(customer=customer, changed={"company", "monthly_spend"})
