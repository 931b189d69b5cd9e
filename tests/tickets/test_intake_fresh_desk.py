"""A fresh installation (migrate and createsuperuser, nothing made in the admin yet): whichever way the first
ticket comes in (the public form, the API, an email piped to `ingest_email`, an agent's phone form), it lands in
a default queue that the desk makes then, and every later ticket joins the same queue (13, fresh production)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from tickets.models import Queue, Team, Ticket
from tickets.roles import Role
from tickets.services import user_create_with_role
from tickets.services.email_intake import ticket_create_from_email

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
EMAIL = (
    b"From: Mari Tamm <mari.tamm@example.ee>\r\nTo: support@delightdesk.localhost\r\n"
    b"Subject: Arve on vale\r\nMessage-ID: <first-%d@example.ee>\r\nContent-Language: et\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nMinu arvel on vana aadress.\r\n"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fresh_desk(db):
    """What `migrate` leaves: the role groups, no team, no queue."""
    assert not Queue.objects.exists() and not Team.objects.exists()


@pytest.fixture
def first_admin(fresh_desk):
    """The deployer's `createsuperuser`."""
    return get_user_model().objects.create_superuser("admin", "admin@example.com", "Kilpkonn-Rabarber-73")


def _the_default_queue_holds(ticket: Ticket) -> None:
    queue = Queue.objects.get()
    assert ticket.queue == queue and queue.is_default


def test_the_support_form_on_a_fresh_desk_opens_a_ticket_in_a_default_queue(fresh_desk, client):
    response = client.post(reverse("tickets:support"), {
        "name": "Mari Tamm", "email": "mari@example.ee", "subject": "Parcel missing",
        "description": "My order 4521 never arrived.", "website": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    _the_default_queue_holds(Ticket.objects.get())


def test_the_api_on_a_fresh_desk_opens_a_staff_ticket_in_a_default_queue(first_admin):
    api = APIClient()
    api.force_authenticate(first_admin)
    response = api.post("/api/v1/tickets/", {
        "customer_email": "mari@example.ee", "customer_name": "Mari Tamm", "subject": "Parcel missing",
        "description": "My order 4521 never arrived."}, format="json")
    assert response.status_code == 201, response.content
    _the_default_queue_holds(Ticket.objects.get())


def test_the_api_on_a_fresh_desk_opens_a_customers_ticket_in_a_default_queue(fresh_desk):
    customer = user_create_with_role(username="mari", password="x", role=Role.CUSTOMER, email="mari@example.ee")
    api = APIClient()
    api.force_authenticate(customer)
    response = api.post("/api/v1/tickets/", {"subject": "Parcel missing",
                                             "description": "My order 4521 never arrived."}, format="json")
    assert response.status_code == 201, response.content
    _the_default_queue_holds(Ticket.objects.get())


def test_an_email_on_a_fresh_desk_opens_a_ticket_in_a_default_queue(fresh_desk):
    result = ticket_create_from_email(raw=EMAIL % 1)
    _the_default_queue_holds(result.inbound.ticket)


def test_ingest_email_on_a_fresh_installation_exits_0_with_a_ticket(tmp_path):
    """As the MTA runs it: a real process on a database that only `migrate` has seen."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DEBUG": "1",
           "DJANGO_TESTING": "1", "EMAIL_URL": "", "REDIS_URL": "", "HOME": str(tmp_path)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    piped = subprocess.run([*manage, "ingest_email"], input=EMAIL % 2, env=env, cwd=ROOT, capture_output=True,
                           timeout=120)
    assert piped.returncode == 0, piped.stderr.decode()[-2000:]
    counted = subprocess.run(
        [*manage, "shell", "-c", "from tickets.models import Queue, Ticket; "
         "print(Ticket.objects.count(), list(Queue.objects.values_list('is_default', flat=True)))"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert counted.stdout.split("\n")[-2] == "1 [True]", counted.stdout


def test_the_phone_form_on_a_fresh_desk_opens_a_ticket_in_a_default_queue(first_admin, client):
    client.force_login(first_admin)
    form = client.get(reverse("tickets:create"))
    assert form.status_code == 200 and "A new default queue, made with this ticket" in form.content.decode()
    response = client.post(reverse("tickets:create"), {
        "customer_email": "mari@example.ee", "customer_name": "Mari Tamm", "subject": "Parcel missing",
        "description": "She called: order 4521 never arrived.", "priority": "normal", "kind": "question",
        "assign_to_me": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    _the_default_queue_holds(Ticket.objects.get())


def test_every_path_after_the_first_joins_the_same_default_queue(first_admin, client):
    client.post(reverse("tickets:support"), {
        "name": "Mari Tamm", "email": "mari@example.ee", "subject": "Parcel missing",
        "description": "My order 4521 never arrived.", "website": ""})
    ticket_create_from_email(raw=EMAIL % 3)
    client.force_login(first_admin)
    client.post(reverse("tickets:create"), {
        "customer_email": "jaan@example.ee", "subject": "Phone call", "description": "He called about a refund.",
        "queue": Queue.objects.get().pk, "priority": "normal", "kind": "question"})
    assert Ticket.objects.count() == 3
    assert Queue.objects.count() == 1 and Team.objects.count() == 1
