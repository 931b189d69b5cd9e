"""Every change to people goes through these functions: users with a role, their profile, customers, teams.

Views, the API, the admin, commands and other apps call them; nothing writes these rows another way.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from accounts import events
from accounts.models import Customer, Membership, Profile, Team
from accounts.roles import Role
from accounts.selectors import customer_by_email

User = get_user_model()

# What of a customer other apps keep copies of (tickets' search document): a change sends `customer_renamed`.
CUSTOMER_SEARCH_FIELDS = frozenset({"name", "email"})


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
def customer_save(*, customer: Customer, changed: set[str] | frozenset[str] = frozenset()) -> Customer:
    """Save a customer edited as a whole (the admin's form); `changed` names the fields that changed.

    A new name or email is announced (`customer_renamed`, after commit) so that the tickets' search
    documents, which hold them, are rebuilt.
    """
    creating = customer.pk is None
    # Only what changed is written, so that a concurrent edit of another field is not overwritten.
    columns = sorted(set(changed) & {field.name for field in Customer._meta.concrete_fields})
    customer.save(update_fields=columns if columns and not creating else None)
    if not creating and CUSTOMER_SEARCH_FIELDS & set(changed):
        events.publish(events.customer_renamed, customer_id=customer.pk)
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
        customer = customer_by_email(email) if email else None
        if customer is None:
            Customer.objects.create(user=user, name=name, email=email or f"{username}@example.invalid",
                                    language=language, time_zone=time_zone)
        else:
            customer.user = user
            customer.save(update_fields=["user"])
    return user


@transaction.atomic
def profile_set_language(*, user: AbstractBaseUser, language: str) -> Profile:
    """Save a user's language; creates the profile of a user made outside `user_create_with_role`."""
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


def team_get_or_create(*, slug: str, name: str, time_zone: str = "UTC") -> Team:
    return Team.objects.get_or_create(slug=slug, defaults={"name": name, "time_zone": time_zone})[0]


def team_member_add(*, team: Team, user: AbstractBaseUser, role: str = Membership.TeamRole.AGENT) -> Membership:
    """Make `user` a member of `team` (an existing membership keeps its role)."""
    return Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})[0]


def api_token_issue(*, user: AbstractBaseUser) -> str:
    """The user's API token (DRF's one token per user), made on first request and the same after."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
