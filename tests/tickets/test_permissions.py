"""The permission matrix, per role, over the API and the web pages.

Two teams (A and B), one ticket each, from two different customers. Customers see their own tickets,
agents and supervisors their teams' queues, admins everything; anything else answers 404 (never 403,
so that a reference's existence does not leak), and internal notes never reach a customer.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests import factories
from tickets import services
from tickets.models import Message, NotificationLog
from tickets.tokens import follow_token_for

NOTE = "internal: offer at most 10 percent"
REPLY = "public: we are on it"

ROLES = ["customer_a", "customer_b", "agent_a", "agent_b", "supervisor_a", "supervisor_b", "admin"]
SEES = {
    "customer_a": {"a"}, "customer_b": {"b"},
    "agent_a": {"a"}, "agent_b": {"b"},
    "supervisor_a": {"a"}, "supervisor_b": {"b"},
    "admin": {"a", "b"},
}
STAFF = {"agent_a", "agent_b", "supervisor_a", "supervisor_b", "admin"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


@pytest.fixture
def world(db):
    team_a, team_b = factories.TeamFactory(), factories.TeamFactory()
    queue_a = factories.QueueFactory(team=team_a, is_default=True)
    queue_b = factories.QueueFactory(team=team_b)
    users = {
        "customer_a": factories.user_with_role("customer"),
        "customer_b": factories.user_with_role("customer"),
        "agent_a": factories.agent_in(team_a),
        "agent_b": factories.agent_in(team_b),
        "supervisor_a": factories.supervisor_of(team_a),
        "supervisor_b": factories.supervisor_of(team_b),
        "admin": factories.user_with_role("admin"),
    }
    tickets = {
        "a": factories.TicketFactory(queue=queue_a, customer=users["customer_a"].customer),
        "b": factories.TicketFactory(queue=queue_b, customer=users["customer_b"].customer),
    }
    for key, agent in (("a", users["agent_a"]), ("b", users["agent_b"])):
        services.message_add(ticket=tickets[key], body=REPLY, author_user=agent)
        services.message_add(ticket=tickets[key], body=NOTE, kind=Message.Kind.NOTE, author_user=agent)
        tickets[key].refresh_from_db()
    return SimpleNamespace(users=users, tickets=tickets, queues={"a": queue_a, "b": queue_b})


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_url(ticket, suffix="") -> str:
    return f"/api/v1/tickets/{ticket.reference}/{suffix}"


# --- API ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_list_shows_exactly_what_the_role_may_see(role, world):
    results = api(world.users[role]).get("/api/v1/tickets/").json()["results"]
    assert {r["reference"] for r in results} == {world.tickets[k].reference for k in SEES[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_retrieve_answers_200_or_404(role, key, world):
    response = api(world.users[role]).get(api_url(world.tickets[key]))
    assert response.status_code == (200 if key in SEES[role] else 404)
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"
        assert world.tickets[key].subject not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_messages_list_hides_notes_from_customers_and_other_teams(role, key, world):
    response = api(world.users[role]).get(api_url(world.tickets[key], "messages/"))
    if key not in SEES[role]:
        assert response.status_code == 404
        return
    bodies = [m["body"] for m in response.json()["results"]]
    assert REPLY in bodies
    assert (NOTE in bodies) is (role in STAFF)
    if role not in STAFF:
        assert NOTE not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_patch_is_for_staff_who_see_the_ticket(role, key, world):
    ticket = world.tickets[key]
    response = api(world.users[role]).patch(api_url(ticket), {"version": ticket.version, "priority": "high"},
                                            format="json")
    expected = 404 if key not in SEES[role] else (200 if role in STAFF else 403)
    assert response.status_code == expected, response.content
    ticket.refresh_from_db()
    assert (ticket.priority == "high") is (expected == 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_api_reply_is_for_whoever_sees_the_ticket(role, key, world):
    ticket = world.tickets[key]
    response = api(world.users[role]).post(api_url(ticket, "messages/"), {"body": f"from {role}"}, format="json")
    assert response.status_code == (201 if key in SEES[role] else 404)
    assert Message.objects.filter(ticket=ticket, body=f"from {role}").exists() is (key in SEES[role])


@pytest.mark.parametrize("role", ROLES)
def test_api_note_is_for_staff_only(role, world):
    key = next(iter(SEES[role]))
    response = api(world.users[role]).post(api_url(world.tickets[key], "messages/"),
                                           {"body": "n", "kind": "note"}, format="json")
    assert response.status_code == (201 if role in STAFF else 403)


def test_api_customer_detail_never_carries_note_text(world):
    response = api(world.users["customer_a"]).get(api_url(world.tickets["a"]))
    assert response.status_code == 200
    assert NOTE not in response.content.decode()


def test_api_user_without_a_role_sees_nothing(world):
    nobody = get_user_model().objects.create_user(username="nobody", password="x")
    assert api(nobody).get("/api/v1/tickets/").status_code == 403
    assert api(nobody).get(api_url(world.tickets["a"])).status_code == 403


def test_api_anonymous_sees_nothing(world):
    assert APIClient().get(api_url(world.tickets["a"])).status_code == 401
    assert APIClient().get(api_url(world.tickets["a"], "messages/")).status_code == 401


def test_api_agent_cannot_assign_a_ticket_to_someone_outside_its_team(world):
    ticket = world.tickets["a"]
    response = api(world.users["agent_a"]).patch(
        api_url(ticket), {"version": ticket.version, "assignee": world.users["agent_b"].pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignee"


def test_api_agent_cannot_move_a_ticket_into_another_teams_queue(world):
    ticket = world.tickets["a"]
    response = api(world.users["agent_a"]).patch(
        api_url(ticket), {"version": ticket.version, "queue": world.queues["b"].slug}, format="json"
    )
    assert response.status_code == 400


def test_api_admin_may_move_a_ticket_between_teams(world):
    ticket = world.tickets["a"]
    response = api(world.users["admin"]).patch(
        api_url(ticket), {"version": ticket.version, "queue": world.queues["b"].slug}, format="json"
    )
    assert response.status_code == 200
    assert api(world.users["agent_a"]).get(api_url(ticket)).status_code == 404
    assert api(world.users["agent_b"]).get(api_url(ticket)).status_code == 200


# --- web pages ---------------------------------------------------------------------------------------


def web(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_customer_ticket_page_answers_own_404_or_403(role, key, world, client):
    response = web(client, world.users[role]).get(f"/my/tickets/{world.tickets[key].reference}/")
    if role in STAFF:
        assert response.status_code == 403  # a page for customers: the role is refused, not the object
    else:
        assert response.status_code == (200 if key in SEES[role] else 404)
    if response.status_code == 200:
        page = response.content.decode()
        assert REPLY in page
        assert NOTE not in page


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["a", "b"])
def test_workspace_ticket_page_answers_200_404_or_403(role, key, world, client):
    response = web(client, world.users[role]).get(f"/tickets/{world.tickets[key].reference}/")
    if role not in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if key in SEES[role] else 404)
    if response.status_code == 200:
        assert NOTE in response.content.decode()  # staff see the notes


@pytest.mark.parametrize("role", ["customer_a", "customer_b"])
def test_customer_ticket_list_page_lists_only_their_own(role, world, client):
    page = web(client, world.users[role]).get("/my/tickets/").content.decode()
    for key, ticket in world.tickets.items():
        assert (ticket.reference in page) is (key in SEES[role])


@pytest.mark.parametrize("role", sorted(STAFF))
def test_workspace_list_page_lists_only_the_teams_tickets(role, world, client):
    page = web(client, world.users[role]).get("/tickets/").content.decode()
    for key, ticket in world.tickets.items():
        assert (ticket.reference in page) is (key in SEES[role])


@pytest.mark.parametrize("reference", ["DD-1%00", "%00", "A" * 300, "%FF%FE", "DD-1'--"])
def test_ticket_pages_answer_404_for_references_that_cannot_exist(reference, world, client):
    web(client, world.users["agent_a"])
    assert client.get(f"/tickets/{reference}/").status_code == 404
    web(client, world.users["customer_a"])
    assert client.get(f"/my/tickets/{reference}/").status_code == 404


def test_follow_link_page_never_shows_internal_notes(world, client):
    ticket = world.tickets["a"]
    response = client.get(f"/t/{follow_token_for(ticket)}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert REPLY in page
    assert NOTE not in page


def test_a_tampered_follow_link_answers_404(world, client):
    token = follow_token_for(world.tickets["a"])
    assert client.get(f"/t/{token[:-2]}xx/").status_code == 404


def test_internal_note_never_schedules_an_email_to_the_customer(world, django_capture_on_commit_callbacks):
    ticket = world.tickets["a"]
    with django_capture_on_commit_callbacks(execute=True):
        note = services.message_add(ticket=ticket, body="secret", kind=Message.Kind.NOTE,
                                    author_user=world.users["agent_a"])
    assert not NotificationLog.objects.filter(message=note).exists()


def test_public_reply_does_schedule_the_customer_email(world, django_capture_on_commit_callbacks):
    ticket = world.tickets["a"]
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.message_add(ticket=ticket, body="hello", author_user=world.users["agent_a"])
    assert NotificationLog.objects.filter(message=reply, kind=NotificationLog.Kind.REPLY_TO_CUSTOMER).exists()
