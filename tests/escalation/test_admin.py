"""The admin is no second way in for escalation: a ticket's priority, queue or kind changed in the ticket
admin moves its SLA clocks as on the ticket page; an SLA policy or a working calendar changed there
recomputes the clocks of the open tickets it governs; escalations, remedies and notifications are
view-only (escalations link to the desk's escalation page); and every list costs a fixed number of queries."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import services
from escalation.models import (
    AuthorityLimit,
    Escalation,
    EscalationRule,
    Notification,
    Remedy,
    SlaPolicy,
    TeamCalendar,
    TicketSla,
    Trigger,
)
from tests import factories
from tests.admin_forms import change_url, changelist_url, form_data, post_change
from tests.escalation import factories as esc
from tickets import services as tickets
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def policies(queue, on_shift):
    esc.sla_policy(queue=queue, priority="normal", first_response_hours=8, resolution_hours=40)
    esc.sla_policy(queue=queue, priority="urgent", first_response_hours=1, resolution_hours=4)


@pytest.fixture
def open_ticket(queue, customer, django_capture_on_commit_callbacks) -> Ticket:
    with django_capture_on_commit_callbacks(execute=True):
        return factories.TicketFactory(queue=queue, customer=customer, priority="normal")


def _sla(ticket) -> TicketSla:
    return TicketSla.objects.get(ticket=ticket)


def _hours_after_creation(ticket, moment) -> float:
    return round((moment - Ticket.objects.get(pk=ticket.pk).created_at) / timedelta(hours=1), 2)


# --- The ticket admin moves the SLA clocks like the ticket page ----------------------------------


def test_raising_the_priority_in_the_ticket_admin_recomputes_the_sla(
    admin_client, policies, open_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_change(admin_client, open_ticket, priority="urgent")
    sla = _sla(open_ticket)
    assert _hours_after_creation(open_ticket, sla.resolution_due) == 4
    assert sla.res_breach_at == sla.resolution_due


def test_moving_a_ticket_in_the_admin_gives_it_the_new_queues_targets(
    admin_client, policies, open_ticket, team, django_capture_on_commit_callbacks
):
    billing = factories.QueueFactory(team=team)
    esc.sla_policy(queue=billing, priority="normal", first_response_hours=2, resolution_hours=10)
    with django_capture_on_commit_callbacks(execute=True):
        post_change(admin_client, open_ticket, queue=billing.pk)
    assert _hours_after_creation(open_ticket, _sla(open_ticket).resolution_due) == 10


def test_reclassifying_as_complaint_in_the_admin_arms_the_complaint_clock(
    admin_client, policies, open_ticket, django_capture_on_commit_callbacks
):
    esc.rule(Trigger.COMPLAINT, target_hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        post_change(admin_client, open_ticket, kind="complaint")
    assert _sla(open_ticket).complaint_at is not None


# --- SLA policies: a change recomputes the clocks of the open tickets it governs ----------------


def _policy_data(policy: SlaPolicy | None, **values) -> dict:
    data = {"queue": "", "priority": "normal", "first_response_hours": "8", "resolution_hours": "40"}
    if policy is not None:
        data.update(queue=policy.queue_id or "", priority=policy.priority,
                    first_response_hours=str(policy.first_response_hours),
                    resolution_hours=str(policy.resolution_hours))
    data.update({k: str(v) for k, v in values.items()})
    return {**data, "_save": "Save"}


def test_shortening_a_policy_moves_the_due_times_of_its_open_tickets(admin_client, policies, queue, open_ticket):
    policy = SlaPolicy.objects.get(queue=queue, priority="normal")
    response = admin_client.post(change_url(policy), _policy_data(policy, resolution_hours=20))
    assert response.status_code == 302
    sla = _sla(open_ticket)
    assert _hours_after_creation(open_ticket, sla.resolution_due) == 20
    assert sla.res_breach_at == sla.resolution_due


def test_a_policy_change_leaves_resolved_tickets_their_outcome(admin_client, policies, queue, open_ticket, agent,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_transition(ticket=open_ticket, to_status="resolved", actor=agent)
    before = _sla(open_ticket)
    policy = SlaPolicy.objects.get(queue=queue, priority="normal")
    admin_client.post(change_url(policy), _policy_data(policy, resolution_hours=1))
    after = _sla(open_ticket)
    assert (after.resolution_due, after.resolution_met) == (before.resolution_due, True)


def test_adding_a_policy_gives_the_open_tickets_without_one_their_clocks(admin_client, on_shift, open_ticket):
    assert _sla(open_ticket).resolution_due is None  # no policy when it was opened
    response = admin_client.post(reverse("admin:escalation_slapolicy_add"), _policy_data(None, resolution_hours=16))
    assert response.status_code == 302
    assert _hours_after_creation(open_ticket, _sla(open_ticket).resolution_due) == 16


def test_a_queue_policy_takes_over_from_the_default_for_that_queue_only(admin_client, on_shift, queue, customer,
                                                                         django_capture_on_commit_callbacks):
    esc.sla_policy(queue=None, priority="normal", first_response_hours=8, resolution_hours=40)
    other_queue = factories.QueueFactory(team=queue.team)
    with django_capture_on_commit_callbacks(execute=True):
        mine = factories.TicketFactory(queue=queue, customer=customer)
        other = factories.TicketFactory(queue=other_queue, customer=customer)
    admin_client.post(reverse("admin:escalation_slapolicy_add"), _policy_data(None, queue=queue.pk, resolution_hours=6))
    assert _hours_after_creation(mine, _sla(mine).resolution_due) == 6
    assert _hours_after_creation(other, _sla(other).resolution_due) == 40


def test_deleting_a_queue_policy_returns_its_tickets_to_the_default(admin_client, on_shift, queue, customer,
                                                                     django_capture_on_commit_callbacks):
    esc.sla_policy(queue=None, priority="normal", first_response_hours=8, resolution_hours=40)
    own = esc.sla_policy(queue=queue, priority="normal", first_response_hours=1, resolution_hours=4)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.TicketFactory(queue=queue, customer=customer)
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) == 4
    response = admin_client.post(reverse("admin:escalation_slapolicy_delete", args=[own.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) == 40


def test_deleting_policies_in_bulk_removes_the_clocks_they_set(admin_client, policies, queue, open_ticket):
    response = admin_client.post(changelist_url(SlaPolicy), {
        "action": "delete_selected", "_selected_action": list(SlaPolicy.objects.values_list("pk", flat=True)),
        "post": "yes"})
    assert response.status_code == 302 and not SlaPolicy.objects.exists()
    sla = _sla(open_ticket)
    assert (sla.resolution_due, sla.res_breach_at, sla.fr_breach_at) == (None, None, None)


# --- Working calendars (and their periods and holidays inline) ----------------------------------


def test_changing_a_teams_working_hours_recomputes_its_open_tickets(admin_client, team, queue, customer,
                                                                     django_capture_on_commit_callbacks):
    calendar = esc.never_open_calendar(team)
    esc.sla_policy(queue=queue, priority="normal", first_response_hours=1, resolution_hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.TicketFactory(queue=queue, customer=customer)
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) > 24 * 7  # one minute a week
    page = admin_client.get(change_url(calendar))
    data = form_data(page.content.decode(), "teamcalendar_form")
    prefix = "periods"
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for day in range(7):  # open around the clock: add a period for every day in the empty rows
        data[f"{prefix}-{total + day}-weekday"] = [str(day)]
        data[f"{prefix}-{total + day}-start"] = ["00:00"]
        data[f"{prefix}-{total + day}-end"] = ["00:00"]
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 7)]
    data["_save"] = ["Save"]
    response = admin_client.post(change_url(calendar), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert calendar.periods.filter(start=time(0)).count() == 7
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) == 2


def test_deleting_a_teams_calendar_recomputes_its_open_tickets_in_office_hours(admin_client, team, queue, customer,
                                                                               django_capture_on_commit_callbacks):
    calendar = esc.always_open_calendar(team)
    esc.sla_policy(queue=queue, priority="normal", first_response_hours=1, resolution_hours=200)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.TicketFactory(queue=queue, customer=customer)
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) == 200
    response = admin_client.post(reverse("admin:escalation_teamcalendar_delete", args=[calendar.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert _hours_after_creation(ticket, _sla(ticket).resolution_due) > 200  # office hours: nights and weekends off


# --- Escalations, remedies, notifications: written by services, view-only here -----------------


@pytest.fixture
def escalation(on_shift, assigned_ticket, agent, supervisor) -> Escalation:
    escalation, _created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.MANUAL, actor=agent,
                                                     reason_text="Wants a refund beyond my limit")
    return escalation


@pytest.fixture
def remedy(on_shift, assigned_ticket, agent, supervisor) -> Remedy:
    esc.limit(kind="refund", max_amount=50, role="agent")
    return services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="80", actor=agent)


def test_an_escalation_is_view_only_and_links_to_its_page_in_the_desk(admin_client, escalation):
    page = admin_client.get(change_url(escalation))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert reverse("escalation:detail", args=[escalation.pk]) in page.content.decode()
    assert admin_client.post(change_url(escalation), {"state": "resolved"}).status_code == 403


def test_an_escalation_cannot_be_deleted(admin_client, escalation):
    delete_url = reverse("admin:escalation_escalation_delete", args=[escalation.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    admin_client.post(changelist_url(Escalation), {"action": "delete_selected", "_selected_action": [escalation.pk],
                                                   "post": "yes"})
    assert Escalation.objects.filter(pk=escalation.pk).exists()


def test_a_remedy_cannot_be_deleted_and_links_to_its_ticket(admin_client, remedy):
    page = admin_client.get(change_url(remedy)).content.decode()
    assert reverse("tickets:detail", args=[remedy.ticket.reference]) in page
    assert admin_client.post(reverse("admin:escalation_remedy_delete", args=[remedy.pk]),
                             {"post": "yes"}).status_code == 403
    assert Remedy.objects.filter(pk=remedy.pk).exists()


def test_the_escalation_notification_outbox_is_view_only(admin_client, remedy, supervisor):
    note = Notification.objects.filter(recipient=supervisor).first()
    assert admin_client.get(reverse("admin:escalation_notification_add")).status_code == 403
    assert admin_client.post(change_url(note), {"key": "x", "kind": "routed"}).status_code == 403
    assert admin_client.post(reverse("admin:escalation_notification_delete", args=[note.pk]),
                             {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=note.pk).exists()


# --- Lists and the escalation page: a fixed number of queries -----------------------------------


def _escalation_data(n, team, queue):
    agent, supervisor = factories.agent_in(team), factories.supervisor_of(team)
    esc.limit(kind="refund", max_amount=10, user=agent, queue=queue)
    esc.limit(kind="refund", max_amount=1000, user=supervisor)
    for _i in range(n):
        ticket = factories.TicketFactory(queue=queue)
        tickets.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        escalation, _created = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=agent)
        services.escalation_acknowledge(escalation=escalation, actor=supervisor)
        services.remedy_propose(ticket=ticket, kind="refund", amount="5", actor=agent)
        above = services.remedy_propose(ticket=ticket, kind="refund", amount="50", actor=agent)
        services.remedy_deny(remedy=above, actor=supervisor, note="Too much")  # decided_by: one query a row?
        other = factories.QueueFactory(team=team, manager=supervisor)
        esc.sla_policy(queue=other, priority="high")
        esc.rule(Trigger.COMPLAINT, queue=other, target_hours=3)
        esc.limit(kind="discount", max_amount=5, user=agent, queue=other)
        esc.always_open_calendar(factories.TeamFactory())


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", [Escalation, Remedy, Notification, SlaPolicy, EscalationRule, AuthorityLimit,
                                   TeamCalendar])
def test_admin_lists_cost_the_same_queries_for_more_rows(admin_client, on_shift, team, queue, model,
                                                         django_assert_max_num_queries):
    _escalation_data(2, team, queue)
    few = _queries(admin_client, changelist_url(model))
    _escalation_data(5, team, queue)
    with django_assert_max_num_queries(few):
        admin_client.get(changelist_url(model))


def test_the_escalation_page_costs_the_same_queries_for_a_longer_history(admin_client, escalation, team, supervisor,
                                                                         django_assert_max_num_queries):
    few = _queries(admin_client, change_url(escalation))
    for _i in range(4):
        colleague = factories.supervisor_of(team)
        services.escalation_reassign(escalation=Escalation.objects.get(pk=escalation.pk), actor=supervisor,
                                     to_user=colleague)
    with django_assert_max_num_queries(few):
        admin_client.get(change_url(escalation))


def test_the_escalation_page_says_why_and_how_it_was_routed_in_words_not_codes(admin_client, escalation):
    body = admin_client.get(change_url(escalation)).content.decode()
    assert "escalation.routing" not in body and "&quot;code&quot;" not in body
    assert escalation.routing_explanation and escalation.routing_explanation.split(";")[0] in body
    assert "Wants a refund beyond my limit" in body


def test_a_notification_page_shows_the_sentence_not_its_code(admin_client, remedy, supervisor):
    note = Notification.objects.filter(recipient=supervisor, kind=Notification.Kind.REMEDY_PENDING).first()
    body = admin_client.get(change_url(note)).content.decode()
    assert "&quot;code&quot;" not in body
    assert note.text_display.split(".")[0] in body
