from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from tickets.models import Customer, Profile
from tickets.roles import Role

User = get_user_model()


def customer_by_email(email: str) -> Customer | None:
    """Case-insensitive lookup served by the LOWER(email) unique index (email__iexact is not)."""
    return Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email.strip()))).first()


def customer_get_or_create(*, email: str, name: str = "", language: str = "en", **extra) -> Customer:
    """The customer with this email (case-insensitive), created on first contact."""
    email = email.strip()
    customer = customer_by_email(email)
    if customer is not None:
        return customer
    try:
        with transaction.atomic():
            return Customer.objects.create(
                email=email, name=name.strip() or email.split("@")[0], language=language, **extra
            )
    except IntegrityError:  # created by a concurrent request between our lookup and insert
        return customer_by_email(email)


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
        customer = customer_by_email(email) if email else None
        if customer is None:
            Customer.objects.create(user=user, name=name, email=email or f"{username}@example.invalid",
                                    language=language, time_zone=time_zone)
        else:
            customer.user = user
            customer.save(update_fields=["user"])
    return user
