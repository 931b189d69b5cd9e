"""The tickets API: list, create, retrieve and PATCH through /api/v1/tickets/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tickets import events, services
from tickets.models import Customer, Message, Ticket, TicketEvent

S = Ticket.Status
LIST = "/api/v1/tickets/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detail(ticket) -> str:
    return f"/api/v1/tickets/{ticket.reference}/"


def make_tickets(queue, n, **kwargs):
    kwargs.setdefault("customer", factories.CustomerFactory())
    return [factories.TicketFactory(queue=queue, **kwargs) for _ in range(n)]


# --- list --------------------------------------------------------------------------------------------


def test_list_is_paginated_and_newest_first(agent, queue):
    tickets = make_tickets(queue, 3)
    response = client_for(agent).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [t["reference"] for t in body["results"]] == [t.reference for t in reversed(tickets)]
    assert {"next", "previous"} <= set(body)


def test_list_item_has_the_documented_shape(agent, ticket):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.ticket_update(ticket=ticket, actor=agent, tags=["billing", "vip"])
    item = client_for(agent).get(LIST).json()["results"][0]
    assert set(item) == {
        "reference", "subject", "description", "status", "priority", "kind", "channel", "language", "queue",
        "assignee", "customer", "tags", "created_at", "updated_at", "first_response_at", "resolved_at",
        "closed_at", "reopen_count", "version", "allowed_transitions", "links",
    }
    assert item["queue"] == ticket.queue.slug
    assert item["assignee"] == {"id": agent.pk, "name": agent.get_full_name()}
    assert item["customer"] == {"name": ticket.customer.name, "email": ticket.customer.email}
    assert item["tags"] == ["billing", "vip"]
    assert item["allowed_transitions"] == ["open", "pending", "resolved"]
    assert item["links"]["self"].endswith(detail(ticket))
    assert item["links"]["messages"].endswith(detail(ticket) + "messages/")
    assert item["links"]["web"].endswith(f"/tickets/{ticket.reference}/")


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_list_query_count_stays_flat_from_5_to_50_tickets(role, agent, queue, customer_user,
                                                          django_assert_max_num_queries):
    user = agent if role == "agent" else customer_user
    customer = customer_user.customer
    others = [factories.agent_in(queue.team) for _ in range(3)]
    counts = []
    for batch in (5, 45):
        for i in range(batch):
            t = factories.TicketFactory(queue=queue, customer=customer, tags=[f"tag{i % 4}", "common"])
            services.ticket_assign(ticket=t, assignee=others[i % 3], actor=agent)
        client = client_for(type(user).objects.get(pk=user.pk))  # fresh: no role memoised
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        assert response.json()["count"] == len(Ticket.objects.all())
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(6):
        client_for(type(user).objects.get(pk=user.pk)).get(LIST, {"page": 2})


def test_list_filters_by_status(agent, queue):
    _new, resolved = make_tickets(queue, 2)
    services.ticket_transition(ticket=resolved, to_status=S.RESOLVED, actor=agent)
    results = client_for(agent).get(LIST, {"status": "resolved"}).json()["results"]
    assert [t["reference"] for t in results] == [resolved.reference]


def test_list_filters_by_assignee_me(agent, queue):
    mine, _other = make_tickets(queue, 2)
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    results = client_for(agent).get(LIST, {"assignee": "me"}).json()["results"]
    assert [t["reference"] for t in results] == [mine.reference]


def test_list_filters_by_tag(agent, queue):
    tagged, _plain = make_tickets(queue, 2)
    services.ticket_update(ticket=tagged, actor=agent, tags=["refund"])
    results = client_for(agent).get(LIST, {"tag": "refund"}).json()["results"]
    assert [t["reference"] for t in results] == [tagged.reference]


def test_list_search_finds_subject_and_reference(agent, queue):
    printer = factories.TicketFactory(queue=queue, subject="Printer jams every morning")
    factories.TicketFactory(queue=queue, subject="Invoice question")
    client = client_for(agent)
    assert [t["reference"] for t in client.get(LIST, {"q": "jams"}).json()["results"]] == [printer.reference]
    assert [t["reference"] for t in client.get(LIST, {"q": printer.reference}).json()["results"]] == [
        printer.reference
    ]


def test_list_search_by_staff_finds_internal_notes(agent, ticket):
    services.message_add(ticket=ticket, body="customer is on the churn watchlist", kind=Message.Kind.NOTE,
                         author_user=agent)
    results = client_for(agent).get(LIST, {"q": "watchlist"}).json()["results"]
    assert [t["reference"] for t in results] == [ticket.reference]


def test_list_search_by_customer_never_matches_internal_notes(agent, ticket, customer_user):
    services.message_add(ticket=ticket, body="customer is on the churn watchlist", kind=Message.Kind.NOTE,
                         author_user=agent)
    assert client_for(customer_user).get(LIST, {"q": "watchlist"}).json()["count"] == 0


def test_list_search_by_customer_finds_public_replies(agent, ticket, customer_user):
    services.message_add(ticket=ticket, body="please restart the router", author_user=agent)
    results = client_for(customer_user).get(LIST, {"q": "router"}).json()["results"]
    assert [t["reference"] for t in results] == [ticket.reference]


def test_list_refuses_an_unknown_status_value_with_the_error_contract(agent, ticket):
    response = client_for(agent).get(LIST, {"status": "sleeping"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "status" in response.json()["errors"]


def test_list_page_out_of_range_answers_404_in_the_error_contract(agent, ticket):
    response = client_for(agent).get(LIST, {"page": 99})
    assert response.status_code == 404
    assert set(response.json()) == {"code", "detail"}


# --- create ------------------------------------------------------------------------------------------


def test_customer_creates_their_own_ticket_through_the_api(customer_user, queue):
    response = client_for(customer_user).post(
        LIST, {"subject": "Cannot log in", "description": "Password reset mail never arrives."}, format="json"
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(reference=response.json()["reference"])
    assert ticket.customer == customer_user.customer
    assert ticket.channel == Ticket.Channel.API
    assert ticket.queue == queue
    assert response.json()["status"] == "new"
    assert response.json()["version"] == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=customer_user).exists()


def test_customer_cannot_set_staff_fields_when_creating(customer_user, queue):
    response = client_for(customer_user).post(
        LIST,
        {"subject": "Hi", "description": "Text", "priority": "urgent", "customer_email": "x@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"priority", "customer_email"}
    assert not Ticket.objects.exists()


def test_staff_creates_a_ticket_on_a_customers_behalf(agent, queue):
    response = client_for(agent).post(
        LIST,
        {"subject": "Phoned in", "description": "Order 1234 arrived broken.", "customer_email": "Mari@Example.com",
         "customer_name": "Mari Maasikas", "priority": "high", "queue": queue.slug, "tags": ["Broken", "order"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == {"name": "Mari Maasikas", "email": "Mari@Example.com"}
    assert body["priority"] == "high"
    assert body["channel"] == "api"
    assert body["tags"] == ["broken", "order"]


def test_staff_create_reuses_the_existing_customer_by_email(agent, queue, customer):
    response = client_for(agent).post(
        LIST, {"subject": "S", "description": "D", "customer_email": customer.email.upper()}, format="json"
    )
    assert response.status_code == 201
    assert Customer.objects.count() == 1
    assert Ticket.objects.get().customer == customer


def test_staff_create_needs_a_customer_email(agent, queue):
    response = client_for(agent).post(LIST, {"subject": "S", "description": "D"}, format="json")
    assert response.status_code == 400
    assert "customer_email" in response.json()["errors"]


def test_staff_cannot_create_into_another_teams_queue(agent, queue):
    foreign = factories.QueueFactory()
    response = client_for(agent).post(
        LIST, {"subject": "S", "description": "D", "customer_email": "a@example.com", "queue": foreign.slug},
        format="json",
    )
    assert response.status_code == 400
    assert "queue" in response.json()["errors"]


def test_create_refuses_unknown_fields(customer_user, queue):
    response = client_for(customer_user).post(
        LIST, {"subject": "S", "description": "D", "status": "closed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["Unknown field."]}


# --- retrieve ----------------------------------------------------------------------------------------


def test_retrieve_by_reference_is_case_insensitive(agent, ticket):
    response = client_for(agent).get(f"/api/v1/tickets/{ticket.reference.lower()}/")
    assert response.status_code == 200
    assert response.json()["reference"] == ticket.reference


def test_retrieve_of_unknown_reference_answers_404(agent, ticket):
    response = client_for(agent).get("/api/v1/tickets/DD-999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_customer_sees_no_allowed_transitions_since_they_only_reply(customer_user, ticket):
    body = client_for(customer_user).get(detail(ticket)).json()
    assert body["allowed_transitions"] == []
    assert body["customer"]["email"] == customer_user.customer.email
    assert body["links"]["web"].endswith(f"/my/tickets/{ticket.reference}/")


# --- PATCH -------------------------------------------------------------------------------------------


def test_patch_changes_fields_and_bumps_the_version(agent, ticket):
    response = client_for(agent).patch(
        detail(ticket), {"version": ticket.version, "priority": "urgent", "kind": "problem",
                         "assignee": agent.pk, "tags": ["vip"], "status": "open"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["priority"], body["kind"], body["status"], body["tags"]) == ("urgent", "problem", "open", ["vip"])
    assert body["assignee"]["id"] == agent.pk
    assert body["version"] > ticket.version
    ticket.refresh_from_db()
    assert body["version"] == ticket.version
    assert body["allowed_transitions"] == ["pending", "resolved"]


def test_patch_records_one_event_per_changed_field(agent, ticket):
    client_for(agent).patch(detail(ticket), {"version": 1, "priority": "high", "status": "pending"}, format="json")
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [TicketEvent.Kind.CREATED, TicketEvent.Kind.PRIORITY, TicketEvent.Kind.STATUS]


def test_patch_without_version_is_refused(agent, ticket):
    response = client_for(agent).patch(detail(ticket), {"priority": "high"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_patch_with_a_stale_version_answers_409(agent, ticket):
    services.ticket_update(ticket=ticket, actor=agent, priority="high")  # someone else, version 1 -> 2
    response = client_for(agent).patch(detail(ticket), {"version": 1, "priority": "low"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_ticket"
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_patch_with_an_illegal_transition_answers_400_with_the_reason(agent, ticket):
    response = client_for(agent).patch(detail(ticket), {"version": 1, "status": "closed"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "illegal_transition", "detail": "A ticket cannot go from New to Closed."}


def test_patch_with_an_illegal_transition_changes_nothing_else(agent, ticket):
    client_for(agent).patch(detail(ticket), {"version": 1, "priority": "urgent", "status": "closed"}, format="json")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status, ticket.version) == ("normal", "new", 1)
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.PRIORITY).exists()


def test_patch_of_a_closed_ticket_is_refused(agent, ticket):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    response = client_for(agent).patch(detail(ticket), {"version": ticket.version, "priority": "low"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "ticket_closed"


def test_patch_assignee_outside_the_team_is_refused(agent, ticket):
    outsider = factories.agent_in(factories.TeamFactory())
    response = client_for(agent).patch(detail(ticket), {"version": 1, "assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignee"


def test_patch_assignee_null_unassigns(agent, ticket):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    response = client_for(agent).patch(detail(ticket), {"version": ticket.version, "assignee": None}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"] is None


def test_patch_moves_the_ticket_to_another_queue_of_the_team(agent, ticket):
    other = factories.QueueFactory(team=ticket.queue.team)
    response = client_for(agent).patch(detail(ticket), {"version": 1, "queue": other.slug}, format="json")
    assert response.status_code == 200
    assert response.json()["queue"] == other.slug


def test_patch_refuses_a_queue_of_another_team(agent, ticket):
    foreign = factories.QueueFactory()
    response = client_for(agent).patch(detail(ticket), {"version": 1, "queue": foreign.slug}, format="json")
    assert response.status_code == 400
    assert "queue" in response.json()["errors"]


def test_patch_by_the_customer_is_forbidden_with_a_code(customer_user, ticket):
    response = client_for(customer_user).patch(detail(ticket), {"version": 1, "priority": "urgent"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_put_is_not_allowed(agent, ticket):
    response = client_for(agent).put(detail(ticket), {"version": 1}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_delete_is_not_allowed(admin_user, ticket):
    response = client_for(admin_user).delete(detail(ticket))
    assert response.status_code == 405
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_patch_resolving_publishes_the_status_change_after_commit(agent, ticket, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, signal, **payload):
        received.append(payload)

    events.ticket_status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(agent).patch(detail(ticket), {"version": 1, "status": "resolved"}, format="json")
        assert response.status_code == 200
    finally:
        events.ticket_status_changed.disconnect(receiver)
    assert callbacks
    assert [(p["ticket_id"], p["actor_id"], p["from_status"], p["to_status"]) for p in received] == [
        (ticket.pk, agent.pk, S.NEW, S.RESOLVED)]


def test_token_authentication_works(agent, ticket):
    token = Token.objects.create(user=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(LIST).json()["count"] == 1


def test_session_authentication_works(agent, ticket):
    client = APIClient()
    client.force_login(agent)
    assert client.get(LIST).json()["count"] == 1


def test_anonymous_request_answers_401_with_a_token_challenge(ticket):
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_customer_search_finds_subject_and_reference_of_their_own_tickets_only(customer_user, customer, queue):
    mine = factories.TicketFactory(queue=queue, customer=customer, subject="Router blinks red")
    factories.TicketFactory(queue=queue, subject="Router blinks red too")  # another customer's
    client = client_for(customer_user)
    assert [t["reference"] for t in client.get(LIST, {"q": "ROUTER"}).json()["results"]] == [mine.reference]
    assert [t["reference"] for t in client.get(LIST, {"q": mine.reference.lower()}).json()["results"]] == [
        mine.reference]


def test_customer_search_query_count_stays_flat(customer_user, customer, queue, django_assert_max_num_queries):
    for i in range(5):
        ticket = factories.TicketFactory(queue=queue, customer=customer, subject=f"Question {i}")
        services.message_add(ticket=ticket, body="refund please", author_customer=customer)
    with django_assert_max_num_queries(8):
        response = client_for(customer_user).get(LIST, {"q": "refund"})
    assert response.json()["count"] == 5
