"""Failed logins are throttled per account and per client address, on the desk's login and the
admin's, with a translated page in the desk's layout that says when to try again (issue 14.4)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 10
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request in Estonian leaves it active in this thread


def _try(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_then_the_right_one_is_refused_on_the_desk_login(client, agent):
    for n in range(50):
        _try(client, LOGIN, agent.username, f"guess-{n}")
    response = _try(client, LOGIN, agent.username, "demo")
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Logging in is paused" in page and "15 minutes" in page
    assert 'id="main"' in page  # the desk's layout, not a bare text
    assert response["Retry-After"] == "900"


def test_fifty_wrong_passwords_then_the_right_one_is_refused_on_the_admin_login(client, admin_user):
    for n in range(50):
        _try(client, ADMIN_LOGIN, admin_user.username, f"guess-{n}")
    response = _try(client, ADMIN_LOGIN, admin_user.username, "demo")
    assert response.status_code == 429
    assert not _logged_in(client)


def test_a_few_typos_then_the_right_password_log_in(client, agent):
    for n in range(3):
        assert _try(client, LOGIN, agent.username, f"typo-{n}").status_code == 200
    response = _try(client, LOGIN, agent.username, "demo")
    assert response.status_code == 302 and _logged_in(client)


def test_failures_against_many_accounts_from_one_address_lock_that_address(client, agent):
    for n in range(10):
        _try(client, LOGIN, f"someone-{n}", "password", REMOTE_ADDR="203.0.113.9")
    response = _try(client, LOGIN, agent.username, "demo", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and not _logged_in(client)


def test_failures_from_many_addresses_lock_the_account(client, agent):
    for n in range(10):
        _try(client, LOGIN, agent.username, "password", REMOTE_ADDR=f"198.51.100.{n}")
    response = _try(client, LOGIN, agent.username, "demo", REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 429 and not _logged_in(client)


def test_a_locked_address_leaves_other_people_elsewhere_alone(client, agent, supervisor):
    for n in range(10):
        _try(client, LOGIN, agent.username, f"guess-{n}", REMOTE_ADDR="203.0.113.9")
    response = _try(client, LOGIN, supervisor.username, "demo", REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 302


def test_a_lock_is_listed_in_the_admin(client, agent, admin_user):
    for n in range(10):
        _try(client, LOGIN, agent.username, f"guess-{n}", REMOTE_ADDR="203.0.113.9")
    assert AccessAttempt.objects.filter(username=agent.username, failures_since_start=10).exists()
    client.force_login(admin_user)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert agent.username in page and "203.0.113.9" in page


def test_the_lockout_page_speaks_the_visitor_s_language(client, agent):
    for n in range(10):
        _try(client, LOGIN, agent.username, f"guess-{n}")
    response = _try(client, LOGIN, agent.username, "demo", HTTP_ACCEPT_LANGUAGE="et")
    assert response.status_code == 429
    page = response.content.decode()
    assert 'lang="et"' in page and "Logging in is paused" not in page
