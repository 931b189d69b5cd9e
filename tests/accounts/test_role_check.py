"""The one role check: `role_of` for one user, `role_condition` (the same rule in SQL) for querysets, and the
decorators and API permissions built on them."""

import itertools

import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.exceptions import NotFound

from accounts.permissions import HasDeskRole, IsStaffMember, StaffOr404, SupervisorOnly, role_required
from accounts.roles import PRECEDENCE, STAFF_ROLES, Role, role_condition, role_of
from accounts.selectors import users_with_role

pytestmark = pytest.mark.django_db

# Sorted: a set's order varies between processes, and every xdist worker must collect the same test ids.
ROLE_SETS = [
    (Role.CUSTOMER,), (Role.AGENT,), (Role.SUPERVISOR,), (Role.ADMIN,), tuple(sorted(STAFF_ROLES)),
    (Role.SUPERVISOR, Role.ADMIN), (Role.AGENT, Role.SUPERVISOR), (Role.CUSTOMER, Role.AGENT),
]


@pytest.fixture
def everyone(django_user_model):
    """A user for every combination of groups, with and without superuser."""
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    users = []
    for n in range(len(PRECEDENCE) + 1):
        for combination in itertools.combinations(PRECEDENCE, n):
            for superuser in (False, True):
                user = django_user_model.objects.create_user(
                    f"u{len(users)}", is_superuser=superuser, password=None)
                user.groups.add(*(groups[role] for role in combination))
                users.append(user)
    return users


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(r.value for r in roles))
def test_role_condition_selects_exactly_the_users_role_of_names(everyone, roles, django_user_model):
    expected = {user.pk for user in everyone if role_of(user) in roles}

    selected = list(django_user_model.objects.filter(role_condition(*roles)).values_list("pk", flat=True))

    assert sorted(selected) == sorted(expected)  # and no duplicates


def test_users_with_role_is_one_query(everyone, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(users_with_role(Role.SUPERVISOR, Role.ADMIN))) > 0


def test_the_strongest_group_is_the_role(django_user_model):
    user = django_user_model.objects.create_user("both", password=None)
    user.groups.add(Group.objects.get_or_create(name="customer")[0], Group.objects.get_or_create(name="agent")[0])

    assert role_of(user) == Role.AGENT


def _view(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return request


def test_role_required_sends_anonymous_visitors_to_the_login_page():
    from django.contrib.auth.models import AnonymousUser

    response = role_required(Role.AGENT)(_view)(_request(AnonymousUser()))

    assert response.status_code == 302 and "/accounts/login/?next=/somewhere/" in response.url


def test_role_required_refuses_another_role_with_403_or_hides_the_page_with_404(customer_user):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        role_required(Role.AGENT)(_view)(_request(customer_user))
    with pytest.raises(Http404):
        role_required(Role.AGENT, hide=True)(_view)(_request(customer_user))
    assert role_required(Role.CUSTOMER)(_view)(_request(customer_user)).status_code == 200


def test_api_permissions_answer_403_or_404_by_role(customer_user, agent, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password=None)

    assert IsStaffMember().has_permission(_request(agent), None)
    assert not IsStaffMember().has_permission(_request(customer_user), None)
    assert not HasDeskRole().has_permission(_request(nobody), None)
    assert HasDeskRole().has_permission(_request(customer_user), None)
    with pytest.raises(NotFound):
        StaffOr404().has_permission(_request(customer_user), None)


def test_a_supervisors_action_refuses_an_agent_with_403_and_is_not_found_for_a_customer(
        customer_user, agent, supervisor, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password=None)

    assert SupervisorOnly().has_permission(_request(supervisor), None)
    assert not SupervisorOnly().has_permission(_request(agent), None)  # DRF answers 403 with the message
    for outsider in (customer_user, nobody):
        with pytest.raises(NotFound):
            SupervisorOnly().has_permission(_request(outsider), None)
