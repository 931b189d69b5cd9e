"""Opening a ticket on a customer's behalf is one action: the customer, the ticket and its assignment
commit together or not at all (`ticket_open_for_customer`), from the workspace form and the API alike."""

import pytest
from django.db.models.signals import post_save
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tickets import events, services
from tickets.exceptions import InvalidAssignee
from tickets.models import Customer, Membership, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tickets/"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def _phone_form(queue, **changes) -> dict:
    data = {"customer_email": "new.caller@example.com", "customer_name": "Nora Caller", "subject": "Broken lid",
            "description": "The lid of order 4471 arrived cracked; she sent a photo.", "queue": queue.pk,
            "priority": "normal", "kind": "problem", "assign_to_me": "on"}
    data.update(changes)
    return data


class _TeamLeftMidway:
    """The agent is taken off the team while the ticket is being opened (an admin's change in another
    request, timed here by the ticket's own INSERT), so assigning it to them is refused."""

    def __init__(self, agent):
        self.agent = agent

    def __enter__(self):
        post_save.connect(self._leave, sender=Ticket, dispatch_uid="test.team_left_midway", weak=False)
        return self

    def __exit__(self, *exc):
        post_save.disconnect(sender=Ticket, dispatch_uid="test.team_left_midway")

    def _leave(self, sender, created=False, **kwargs):
        if created:
            Membership.objects.filter(user=self.agent).delete()


# --- the service -------------------------------------------------------------------------------------


def test_open_for_customer_creates_customer_ticket_and_assignment(agent, queue):
    ticket = services.ticket_open_for_customer(
        actor=agent, customer_email="Mari@Example.com", customer_name="Mari", subject="Phoned in",
        description="Order 1234 arrived broken.", channel=Ticket.Channel.PHONE, queue=queue, assignee=agent,
    )
    assert (ticket.customer.email, ticket.assignee, ticket.channel) == ("Mari@Example.com", agent, "phone")
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED, TicketEvent.Kind.ASSIGNEE]


def test_refused_assignment_leaves_no_customer_and_no_ticket(agent, queue):
    outsider = factories.agent_in(factories.TeamFactory())
    with pytest.raises(InvalidAssignee):
        services.ticket_open_for_customer(
            actor=agent, customer_email="new@example.com", subject="S", description="D",
            channel=Ticket.Channel.PHONE, queue=queue, assignee=outsider,
        )
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_events_of_an_opened_ticket_go_out_after_the_whole_action_commits(agent, queue,
                                                                         django_capture_on_commit_callbacks):
    received = []

    def created(sender, ticket_id, **payload):
        # By the time anyone hears of the ticket, it is already assigned (one commit, not two).
        received.append(Ticket.objects.get(pk=ticket_id).assignee_id)

    events.ticket_created.connect(created, dispatch_uid="test.open.created")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_open_for_customer(
                actor=agent, customer_email="c@example.com", subject="S", description="D",
                channel=Ticket.Channel.PHONE, queue=queue, assignee=agent,
            )
    finally:
        events.ticket_created.disconnect(dispatch_uid="test.open.created")
    assert received == [agent.pk]


# --- the workspace form ------------------------------------------------------------------------------


def test_phone_ticket_whose_assignment_is_refused_is_not_created_and_keeps_the_text(agent_client, agent, queue):
    with _TeamLeftMidway(agent):
        response = agent_client.post(reverse("tickets:create"), _phone_form(queue))
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a member of this ticket" in body
    assert "The lid of order 4471 arrived cracked" in body and "Broken lid" in body
    assert not Ticket.objects.exists()
    assert not Customer.objects.filter(email="new.caller@example.com").exists()


def test_resubmitting_a_refused_phone_ticket_makes_one_ticket(agent_client, agent, queue):
    with _TeamLeftMidway(agent):
        agent_client.post(reverse("tickets:create"), _phone_form(queue))
    response = agent_client.post(reverse("tickets:create"), _phone_form(queue))
    assert response.status_code == 302
    assert Ticket.objects.get().assignee == agent
    assert Customer.objects.filter(email="new.caller@example.com").count() == 1


# --- the API -----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_opens_an_assigned_ticket_through_the_api(agent, queue):
    colleague = factories.agent_in(queue.team)
    response = _api(agent).post(LIST, {"subject": "Phoned in", "description": "Order 1234 arrived broken.",
                                       "customer_email": "mari@example.com", "assignee": colleague.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["assignee"]["id"] == colleague.pk


def test_api_open_with_a_refused_assignee_is_a_400_and_creates_nothing(agent, queue):
    outsider = factories.agent_in(factories.TeamFactory())
    response = _api(agent).post(LIST, {"subject": "Phoned in", "description": "Order 1234 arrived broken.",
                                       "customer_email": "mari@example.com", "assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignee"
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_customers_cannot_assign_the_ticket_they_open(customer_user, agent, queue):
    response = _api(customer_user).post(LIST, {"subject": "S", "description": "D", "assignee": agent.pk},
                                        format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"assignee"}
    assert not Ticket.objects.exists()
