from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tickets.models import Customer, Profile
from tickets.roles import Role

User = get_user_model()


def customer_get_or_create(*, email: str, name: str = "", language: str = "en", **extra) -> Customer:
    """The customer with this email (case-insensitive), created on first contact."""
    email = email.strip()
    customer = Customer.objects.filter(email__iexact=email).first()
    if customer is not None:
        return customer
    with transaction.atomic():
        customer, _ = Customer.objects.get_or_create(
            email=email, defaults={"name": name.strip() or email.split("@")[0], "language": language, **extra}
        )
    return customer


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role: Role, email: str = "", first_name: str = "", last_name: str = "",
    language: str = "en", time_zone: str = "UTC",
) -> User:
    user = User.objects.create_user(
        username=username, password=password, email=email, first_name=first_name, last_name=last_name,
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
    # get_or_create: the data migration makes the groups, but a database flush (tests, `manage.py
    # flush`) removes them while the migration stays recorded.
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    Profile.objects.create(user=user, language=language, time_zone=time_zone)
    if role == Role.CUSTOMER:
        name = f"{first_name} {last_name}".strip() or username
        customer = Customer.objects.filter(email__iexact=email).first() if email else None
        if customer is None:
            Customer.objects.create(user=user, name=name, email=email or f"{username}@example.invalid",
                                    language=language, time_zone=time_zone)
        else:
            customer.user = user
            customer.save(update_fields=["user"])
    return user
