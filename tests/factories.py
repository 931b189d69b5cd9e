"""Factories for tests and benchmarks. Tickets are made through the `ticket_create` service."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Customer, Membership, Team
from accounts.roles import Role
from accounts.services import user_create_with_role
from tickets import services
from tickets.models import Queue, Ticket

User = get_user_model()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    time_zone = "Europe/Tallinn"


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.Sequence(lambda n: f"queue-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    # Not "customer{n}": user_with_role("customer") names its customers so, from a counter of its own.
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    language = "en"
    company = "Purrfect Prints"
    monthly_spend = 100


_counter = iter(range(1, 10**9))


def user_with_role(role: str | Role, **kwargs) -> User:
    n = next(_counter)
    role = Role(role)
    defaults = {"username": f"{role.value}{n}", "password": "demo", "email": f"{role.value}{n}@example.com",
                "first_name": role.label.title(), "last_name": str(n)}
    defaults.update(kwargs)
    return user_create_with_role(role=role, **defaults)


def agent_in(team: Team, **kwargs) -> User:
    user = user_with_role(Role.AGENT, **kwargs)
    Membership.objects.create(team=team, user=user, role=Membership.TeamRole.AGENT)
    return user


def supervisor_of(team: Team, **kwargs) -> User:
    user = user_with_role(Role.SUPERVISOR, **kwargs)
    Membership.objects.create(team=team, user=user, role=Membership.TeamRole.SUPERVISOR)
    return user


class TicketFactory(factory.Factory):
    """Builds through `services.ticket_create`, the one way in."""

    class Meta:
        model = Ticket

    customer = factory.SubFactory(CustomerFactory)
    queue = factory.SubFactory(QueueFactory)
    subject = factory.Sequence(lambda n: f"Ticket subject {n}")
    description = "Something is not working as I expected."
    channel = Ticket.Channel.WEB
    priority = Ticket.Priority.NORMAL
    kind = Ticket.Kind.QUESTION

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.ticket_create(**kwargs)

    _build = _create
