"""The Django admin is no second way in: a ticket changed there goes through the same services as the
ticket page (events, version, signals), fields without a service are read-only, tickets are opened on the
desk's own page and never deleted, the outbox is view-only, and the lists cost a fixed number of queries."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.admin_forms import change_url, changelist_url, post_change
from tickets import events, services
from tickets.models import InboundEmail, Macro, NotificationLog, Queue, Tag, Ticket, TicketEvent
from tickets.services import notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _events(ticket, kind) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind))


def _fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def _received(signal):
    calls = []

    def receiver(sender, **payload):
        calls.append(payload)

    signal.connect(receiver, weak=False, dispatch_uid=f"test_admin_{id(calls)}")
    return calls, lambda: signal.disconnect(dispatch_uid=f"test_admin_{id(calls)}")


# --- Change: each editable field goes through the ticket's services -----------------------------


def test_changing_the_priority_records_an_event_and_bumps_the_version(admin_client, admin_user, ticket):
    response = post_change(admin_client, ticket, priority="urgent")
    assert response.status_code == 302
    after = _fresh(ticket)
    assert (after.priority, after.version) == ("urgent", ticket.version + 1)
    [event] = _events(ticket, TicketEvent.Kind.PRIORITY)
    assert (event.from_value, event.to_value, event.actor) == ("normal", "urgent", admin_user)


def test_changing_the_priority_publishes_ticket_changed_for_the_sla(
    admin_client, ticket, django_capture_on_commit_callbacks
):
    calls, disconnect = _received(events.ticket_changed)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_change(admin_client, ticket, priority="high")
    finally:
        disconnect()
    assert [call["fields"] for call in calls] == [["priority"]]


def test_changing_the_queue_records_an_event_and_unassigns_an_agent_of_the_old_team(
    admin_client, admin_user, ticket, agent
):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    other = factories.QueueFactory(team=factories.TeamFactory(), name="Billing")
    response = post_change(admin_client, _fresh(ticket), queue=other.pk)
    assert response.status_code == 302
    after = _fresh(ticket)
    assert (after.queue, after.assignee) == (other, None)  # the service's rule, as on the ticket page
    [event] = _events(ticket, TicketEvent.Kind.QUEUE)
    assert (event.to_value, event.actor) == ("Billing", admin_user)
    assert len(_events(ticket, TicketEvent.Kind.ASSIGNEE)) == 2  # assigned, then unassigned by the move


def test_changing_the_kind_records_an_event(admin_client, ticket):
    post_change(admin_client, ticket, kind="complaint")
    assert _fresh(ticket).kind == "complaint"
    [event] = _events(ticket, TicketEvent.Kind.KIND)
    assert (event.from_value, event.to_value) == ("question", "complaint")


def test_assigning_records_an_event_and_publishes_ticket_assigned(
    admin_client, ticket, agent, django_capture_on_commit_callbacks
):
    calls, disconnect = _received(events.ticket_assigned)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_change(admin_client, ticket, assignee=agent.pk)
    finally:
        disconnect()
    assert _fresh(ticket).assignee == agent
    assert len(_events(ticket, TicketEvent.Kind.ASSIGNEE)) == 1
    assert [call["assignee_id"] for call in calls] == [agent.pk]


def test_an_agent_of_another_team_is_not_offered_as_assignee(admin_client, ticket):
    outsider = factories.agent_in(factories.TeamFactory())
    response = post_change(admin_client, ticket, assignee=outsider.pk)
    assert response.status_code == 200
    assert "assignee" in response.context["adminform"].form.errors
    assert _fresh(ticket).assignee is None


def test_moving_to_another_team_with_an_agent_of_the_old_team_is_refused_with_the_reason(
    admin_client, ticket, agent
):
    other = factories.QueueFactory(team=factories.TeamFactory())
    response = post_change(admin_client, ticket, queue=other.pk, assignee=agent.pk)
    assert response.status_code == 302 and response.url == change_url(ticket)
    assert "is not a member of this ticket's team" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    after = _fresh(ticket)
    assert (after.queue_id, after.assignee, after.version) == (ticket.queue_id, None, ticket.version)
    assert not _events(ticket, TicketEvent.Kind.QUEUE)  # all or nothing, as on the ticket page


def test_changing_the_tags_records_an_event(admin_client, ticket):
    vip, billing = Tag.objects.create(name="vip"), Tag.objects.create(name="billing")
    post_change(admin_client, ticket, tags=[vip.pk, billing.pk])
    after = _fresh(ticket)
    assert sorted(after.tags.values_list("name", flat=True)) == ["billing", "vip"]
    [event] = _events(ticket, TicketEvent.Kind.TAGS)
    assert event.to_value == "billing, vip"
    assert after.version == ticket.version + 1


def test_several_fields_changed_at_once_each_record_their_event(admin_client, ticket, agent):
    post_change(admin_client, ticket, priority="high", kind="problem", assignee=agent.pk)
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"priority", "kind", "assignee"} <= kinds


def test_saving_without_a_change_records_nothing_and_keeps_the_version(admin_client, ticket):
    response = post_change(admin_client, ticket)
    assert response.status_code == 302
    assert _fresh(ticket).version == ticket.version
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["created"]


def test_a_change_made_on_a_stale_page_is_refused_and_changes_nothing(admin_client, ticket, agent):
    url = change_url(ticket)
    from tests.admin_forms import form_data

    data = form_data(admin_client.get(url).content.decode(), "ticket_form")
    services.ticket_update(ticket=_fresh(ticket), actor=agent, kind="problem")  # someone else, meanwhile
    data.update(priority=["urgent"], _save=["Save"])
    response = admin_client.post(url, data)
    assert response.status_code == 302 and response.url == url  # back to the page, showing the ticket as it is
    assert "Someone else changed this ticket" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    after = _fresh(ticket)
    assert (after.priority, after.kind) == ("normal", "problem")
    assert not _events(ticket, TicketEvent.Kind.PRIORITY)


def test_fields_without_a_service_cannot_be_changed(admin_client, ticket):
    post_change(admin_client, ticket, subject="Changed behind the desk's back", status="closed",
                description="Rewritten", version=99, reference="X-1", reopen_count=7)
    after = _fresh(ticket)
    assert (after.subject, after.status, after.description, after.version, after.reference, after.reopen_count) == (
        ticket.subject, ticket.status, ticket.description, ticket.version, ticket.reference, 0)


def test_a_closed_ticket_is_view_only(admin_client, ticket, agent):
    for status in ("resolved", "closed"):
        services.ticket_transition(ticket=_fresh(ticket), to_status=status, actor=agent)
    page = admin_client.get(change_url(ticket))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = admin_client.post(change_url(ticket), {"priority": "urgent", "expected_version": 3, "_save": "Save"})
    assert response.status_code == 403
    assert _fresh(ticket).priority == "normal"


def test_the_admin_ticket_page_shows_the_timeline_and_links_to_the_desk(admin_client, ticket):
    body = admin_client.get(change_url(ticket)).content.decode()
    assert reverse("tickets:detail", args=[ticket.reference]) in body
    assert "Open in the desk" in body
    assert str(TicketEvent.Kind.CREATED.label) in body


# --- Add: tickets are opened on the desk's page (ticket_create) ----------------------------------


def test_adding_a_ticket_leads_to_the_desks_new_ticket_page(admin_client):
    response = admin_client.get(reverse("admin:tickets_ticket_add"))
    assert response.status_code == 302 and response.url == reverse("tickets:create")


def test_posting_the_admin_add_form_opens_no_ticket(admin_client, queue, customer):
    response = admin_client.post(reverse("admin:tickets_ticket_add"), {
        "subject": "Behind the desk", "description": "No reference, no event, no SLA", "customer": customer.pk,
        "queue": queue.pk, "priority": "normal", "kind": "question", "status": "new", "channel": "web",
        "language": "en", "created_at_0": "2026-01-01", "created_at_1": "10:00", "_save": "Save"})
    assert response.status_code == 302 and response.url == reverse("tickets:create")
    assert not Ticket.objects.exists()


def test_the_desks_new_ticket_page_opens_it_through_the_service(admin_client, queue):
    response = admin_client.post(reverse("tickets:create"), {
        "customer_email": "ann@example.com", "customer_name": "Ann", "subject": "Phone call",
        "description": "Called about the invoice.", "queue": queue.pk, "priority": "normal", "kind": "question"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.reference and _events(ticket, TicketEvent.Kind.CREATED)


# --- Delete: never (events, messages, ratings and pulses would go with it) -----------------------


def test_a_ticket_cannot_be_deleted(admin_client, ticket):
    delete_url = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_ticket_list_offers_no_bulk_delete(admin_client, ticket):
    response = admin_client.get(changelist_url(Ticket))
    assert "delete_selected" not in response.content.decode()
    admin_client.post(changelist_url(Ticket), {"action": "delete_selected", "_selected_action": [ticket.pk],
                                               "post": "yes"})
    assert Ticket.objects.filter(pk=ticket.pk).exists()


# --- Tags: reference data, but taking a tag off tickets is a change of those tickets -------------


def test_a_tag_that_tickets_carry_cannot_be_deleted(admin_client, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer, tags=["vip"])
    tag = Tag.objects.get(name="vip")
    assert admin_client.post(reverse("admin:tickets_tag_delete", args=[tag.pk]), {"post": "yes"}).status_code == 403
    assert list(_fresh(ticket).tags.values_list("name", flat=True)) == ["vip"]


def test_an_unused_tag_can_be_deleted(admin_client):
    tag = Tag.objects.create(name="unused")
    response = admin_client.post(reverse("admin:tickets_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


# --- The notification outbox: view-only (the outbox owns retries) --------------------------------


def test_the_notification_outbox_is_view_only(admin_client, ticket, django_capture_on_commit_callbacks):
    log = notifications.notification_schedule(kind=NotificationLog.Kind.CONFIRMATION, ticket_id=ticket.pk)
    assert admin_client.get(change_url(log)).status_code == 200
    assert admin_client.post(change_url(log), {"kind": NotificationLog.Kind.REPLY_TO_CUSTOMER}).status_code == 403
    assert admin_client.get(reverse("admin:tickets_notificationlog_add")).status_code == 403
    assert admin_client.post(reverse("admin:tickets_notificationlog_delete", args=[log.pk]),
                             {"post": "yes"}).status_code == 403
    log.refresh_from_db()
    assert (log.kind, log.delivery.state) == (NotificationLog.Kind.CONFIRMATION, "pending")


# --- Lists: a fixed number of queries ------------------------------------------------------------


def _tickets(n, queue, agent):
    for i in range(n):
        ticket = factories.TicketFactory(queue=queue, tags=[f"tag{i}"])
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        notifications.notification_schedule(kind=NotificationLog.Kind.CONFIRMATION, ticket_id=ticket.pk)
        InboundEmail.objects.create(message_id=f"<m{ticket.pk}@example.com>", sender=ticket.customer.email,
                                    subject=ticket.subject, raw=b"", outcome=InboundEmail.Outcome.NEW_TICKET,
                                    ticket=ticket)
        team = factories.TeamFactory()
        factories.QueueFactory(team=team, manager=agent)
        Macro.objects.create(name=f"Macro {i}", body="Hello", team=team)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", [Ticket, Queue, Macro, Tag, InboundEmail, NotificationLog])
def test_admin_lists_cost_the_same_queries_for_more_rows(admin_client, queue, agent, model,
                                                         django_assert_max_num_queries):
    _tickets(2, queue, agent)
    few = _queries(admin_client, changelist_url(model))
    _tickets(6, queue, agent)
    with django_assert_max_num_queries(few):
        admin_client.get(changelist_url(model))


def test_the_admin_ticket_page_costs_the_same_queries_for_a_longer_timeline(admin_client, ticket, agent,
                                                                             django_assert_max_num_queries):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    few = _queries(admin_client, change_url(ticket))
    for priority in ("high", "low", "urgent", "normal", "high"):
        services.ticket_update(ticket=_fresh(ticket), actor=agent, priority=priority)
    with django_assert_max_num_queries(few):
        admin_client.get(change_url(ticket))


def test_the_ticket_page_offers_no_way_to_add_or_edit_queues_people_or_tags_from_it(admin_client, ticket):
    body = admin_client.get(change_url(ticket)).content.decode()
    assert 'id="add_id_queue"' not in body and 'id="change_id_assignee"' not in body
    assert 'id="add_id_tags"' not in body and 'id="delete_id_queue"' not in body
    assert 'name="_addanother"' not in body
