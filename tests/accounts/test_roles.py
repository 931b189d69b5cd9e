"""Each role lands on its own start page; staff pages are closed to customers and anonymous users."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [("customer", "tickets:my_tickets"), ("agent", "tickets:list")],
)
def test_each_role_lands_on_its_start_page(client, role, landing):
    client.force_login(factories.user_with_role(role))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(landing)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisor_and_admin_start_pages_open(client, role):
    client.force_login(factories.user_with_role(role))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("tickets:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_customer_is_denied_the_agent_ticket_list(client, customer_user):
    client.force_login(customer_user)
    assert client.get(reverse("tickets:list")).status_code == 403


def test_customer_is_denied_the_admin_site(client, customer_user):
    client.force_login(customer_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_agent_is_denied_the_admin_site(client, agent):
    client.force_login(agent)
    assert "/admin/login/" in client.get("/admin/").url


def test_admin_opens_the_admin_site(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_login_page_renders_with_csrf(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_login_with_demo_style_credentials_lands_on_start_page(client):
    factories.user_with_role("agent", username="jaan", password="demo")
    response = client.post(reverse("login"), {"username": "jaan", "password": "demo"})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).status_code == 200


def test_user_without_role_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"no role" in response.content
