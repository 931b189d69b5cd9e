"""Optimistic concurrency: two people editing the same ticket never silently overwrite each other.

Service level (StaleTicket), API level (409), and real races between threads on PostgreSQL.
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories
from tickets import events, services
from tickets.exceptions import StaleTicket
from tickets.models import Message, Ticket, TicketEvent

S = Ticket.Status


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are test data here


def two_copies(ticket):
    return Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)


# --- service -----------------------------------------------------------------------------------------


def test_second_agent_save_is_refused_when_ticket_changed(ticket, agent):
    mine, theirs = two_copies(ticket)
    services.ticket_update(ticket=mine, actor=agent, expected_version=1, priority="urgent")
    with pytest.raises(StaleTicket):
        services.ticket_update(ticket=theirs, actor=agent, expected_version=1, priority="low")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.version) == ("urgent", 2)


def test_refused_save_records_no_event(ticket, agent):
    mine, theirs = two_copies(ticket)
    services.ticket_update(ticket=mine, actor=agent, priority="urgent")
    with pytest.raises(StaleTicket):
        services.ticket_update(ticket=theirs, actor=agent, expected_version=1, kind="problem")
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.KIND).exists()


def test_stale_copy_without_an_explicit_version_is_refused_too(ticket, agent):
    mine, theirs = two_copies(ticket)
    services.ticket_update(ticket=mine, actor=agent, priority="urgent")
    with pytest.raises(StaleTicket):
        services.ticket_update(ticket=theirs, actor=agent, priority="low")  # theirs still says version 1


@pytest.mark.parametrize("change", [
    {"status": S.RESOLVED}, {"assignee": "agent"}, {"tags": ["late"]}, {"queue": "other"}, {"kind": "problem"},
])
def test_every_kind_of_change_is_refused_on_a_stale_version(change, ticket, agent):
    change = dict(change)
    if change.get("assignee") == "agent":
        change["assignee"] = agent
    if change.get("queue") == "other":
        change["queue"] = factories.QueueFactory(team=ticket.queue.team)
    mine, theirs = two_copies(ticket)
    services.ticket_update(ticket=mine, actor=agent, priority="high")
    with pytest.raises(StaleTicket):
        services.ticket_update(ticket=theirs, actor=agent, expected_version=1, **change)
    ticket.refresh_from_db()
    assert ticket.version == 2


def test_transition_with_a_stale_expected_version_is_refused(ticket, agent):
    services.ticket_update(ticket=ticket, actor=agent, priority="high")
    with pytest.raises(StaleTicket):
        services.ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), to_status=S.RESOLVED, actor=agent,
                                   expected_version=1)
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


def test_assign_with_a_stale_expected_version_is_refused(ticket, agent):
    services.ticket_update(ticket=ticket, actor=agent, priority="high")
    with pytest.raises(StaleTicket):
        services.ticket_assign(ticket=Ticket.objects.get(pk=ticket.pk), assignee=agent, actor=agent,
                               expected_version=1)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_refused_save_publishes_nothing(ticket, agent, django_capture_on_commit_callbacks):
    mine, theirs = two_copies(ticket)
    services.ticket_update(ticket=mine, actor=agent, priority="urgent")
    received = []

    def receiver(sender, signal, **payload):
        received.append(payload)

    events.ticket_status_changed.connect(receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(StaleTicket):
            services.ticket_update(ticket=theirs, actor=agent, expected_version=1, status=S.RESOLVED)
    finally:
        events.ticket_status_changed.disconnect(receiver)
    assert received == []


def test_a_reply_does_not_make_an_agents_edit_stale(ticket, agent):
    copy = Ticket.objects.get(pk=ticket.pk)
    services.message_add(ticket=ticket, body="note to self", kind=Message.Kind.NOTE, author_user=agent)
    services.ticket_update(ticket=copy, actor=agent, expected_version=1, priority="high")
    ticket.refresh_from_db()
    assert ticket.priority == "high"


# --- API ---------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_second_agent_patch_answers_409_and_keeps_the_first_change(ticket, agent):
    other = factories.agent_in(ticket.queue.team)
    url = f"/api/v1/tickets/{ticket.reference}/"
    version = api(agent).get(url).json()["version"]
    assert api(other).get(url).json()["version"] == version
    first = api(agent).patch(url, {"version": version, "priority": "urgent"}, format="json")
    second = api(other).patch(url, {"version": version, "priority": "low"}, format="json")
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "stale_ticket"
    assert api(other).get(url).json()["priority"] == "urgent"


def test_after_a_409_the_agent_reloads_and_succeeds(ticket, agent):
    url = f"/api/v1/tickets/{ticket.reference}/"
    api(agent).patch(url, {"version": 1, "priority": "urgent"}, format="json")
    assert api(agent).patch(url, {"version": 1, "status": "open"}, format="json").status_code == 409
    fresh = api(agent).get(url).json()["version"]
    response = api(agent).patch(url, {"version": fresh, "status": "open"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == fresh + 1


def test_customer_reply_that_reopens_the_ticket_makes_a_pending_edit_stale(ticket, agent, customer_user):
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    url = f"/api/v1/tickets/{ticket.reference}/"
    version = api(agent).get(url).json()["version"]
    api(customer_user).post(url + "messages/", {"body": "not fixed"}, format="json")
    response = api(agent).patch(url, {"version": version, "status": "closed"}, format="json")
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN


def test_a_version_from_the_future_is_refused(ticket, agent):
    response = api(agent).patch(f"/api/v1/tickets/{ticket.reference}/", {"version": 2, "priority": "low"},
                                format="json")
    assert response.status_code == 409


# --- real races (PostgreSQL: row locks and concurrent connections) -----------------------------------


def _race(n, work):
    """Run `work(i)` in n threads released together; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_of_one_version_let_exactly_one_win(queue):
    agent = factories.agent_in(queue.team)
    ticket = factories.TicketFactory(queue=queue)
    priorities = ["low", "high", "urgent", "low", "high", "urgent"]

    def work(i):
        copy = Ticket.objects.get(pk=ticket.pk)
        return services.ticket_update(ticket=copy, actor=agent, expected_version=1, priority=priorities[i])

    results = _race(len(priorities), work)
    winners = [r for r in results if isinstance(r, Ticket)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StaleTicket) for r in results if r is not winners[0])
    ticket.refresh_from_db()
    assert (ticket.version, ticket.priority) == (2, winners[0].priority)
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.PRIORITY).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_customer_replies_to_a_resolved_ticket_are_all_kept_and_reopen_once(queue):
    agent = factories.agent_in(queue.team)
    ticket = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)

    def work(i):
        copy = Ticket.objects.get(pk=ticket.pk)  # each caller loaded the ticket while it was resolved
        return services.message_add(ticket=copy, body=f"reply {i}", author_customer=copy.customer)

    results = _race(4, work)
    assert all(isinstance(r, Message) for r in results), results
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (S.OPEN, 1)
    assert Message.objects.filter(ticket=ticket).count() == 4
