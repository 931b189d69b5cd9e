"""The agents' ticket list shows, per open ticket, the next SLA clock to act on: due (neutral), due
within the hour (warning), overdue (danger) or paused; nothing for settled or SLA-less tickets.

The team works around the clock here (the `on_shift` calendar), so business time is wall time. The
badges of a page cost ONE query, whatever the number of rows.
"""

import copy
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation import services
from escalation.models import TicketSla, Trigger
from tests.escalation import factories as esc
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
LIST = reverse("tickets:list") + "?view=team&per_page=100"


@pytest.fixture
def make(on_shift, queue, agent):
    """A ticket of the team opened `age` ago, 2 h first-response and 8 h resolution targets."""
    esc.sla_policy(queue=None, priority="normal", first_response_hours=2, resolution_hours=8)

    def _make(*, age=30 * MINUTE, answered_ago=None, kind=Ticket.Kind.QUESTION, status=Ticket.Status.OPEN,
              sla=True) -> Ticket:
        now = timezone.now().replace(microsecond=0)
        ticket = esc.TicketFactory(queue=queue, kind=kind)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - age, status=status, assignee=agent,
            first_response_at=now - answered_ago if answered_ago is not None else None)
        if sla:
            services.sla_start(ticket_id=ticket.pk)
        ticket.refresh_from_db()
        return ticket

    return _make


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


def list_page(client, url: str = LIST, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def badge(body: str, ticket: Ticket) -> str:
    """The SLA badge in a ticket's row ('' when the row has none)."""
    row = re.search(rf'<tr>\s*<td><input[^>]*value="{ticket.pk}".*?</tr>', body, re.S)
    assert row, f"row of {ticket.reference} not in the list"
    match = re.search(r'<span class="badge ws-sla-badge.*?</span></div>', row.group(0), re.S)
    return match.group(0) if match else ""


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_unanswered_ticket_shows_its_first_response_due_time(staff_client, make):
    ticket = make(age=30 * MINUTE)  # first response due in 1 h 30
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-clock="first_response"' in shown and 'data-sla-due="neutral"' in shown
    assert text(shown).startswith("Due in 1 hour")


def test_an_answered_ticket_shows_its_resolution_due_time(staff_client, make):
    ticket = make(age=3 * HOUR, answered_ago=2 * HOUR)  # resolution due in 5 h
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-clock="resolution"' in shown and 'data-sla-due="neutral"' in shown
    assert text(shown).startswith("Due in 4 hours")


def test_a_clock_due_within_the_hour_is_a_warning(staff_client, make):
    ticket = make(age=90 * MINUTE)  # first response due in 30 min
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-due="warning"' in shown and "text-bg-warning" in shown
    assert re.search(r"Due in (29|30) minutes", text(shown))


def test_a_clock_past_its_due_time_is_overdue(staff_client, make):
    ticket = make(age=5 * HOUR)  # first response was due 3 h ago
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-due="danger"' in shown and "text-bg-danger" in shown
    assert text(shown).startswith("Overdue 3 hours")


def test_the_badge_gives_the_clock_and_its_exact_due_time_as_text(staff_client, make):
    ticket = make(age=30 * MINUTE)
    due = TicketSla.objects.get(ticket=ticket).first_response_due
    shown = badge(list_page(staff_client), ticket)
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in shown
    assert 'title="First response: Due ' in shown
    hidden = re.search(r'<span class="visually-hidden">(.*?)</span>', shown, re.S).group(1)
    assert hidden.startswith(", First response: Due ")


def test_a_pending_answered_ticket_shows_paused(staff_client, agent, make, django_capture_on_commit_callbacks):
    ticket = make(age=3 * HOUR, answered_ago=2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.PENDING, actor=agent)
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-due="paused"' in shown and 'data-sla-clock="resolution"' in shown
    assert "Paused" in text(shown) and "Due in" not in shown and "Overdue" not in shown


def test_a_paused_clock_past_its_due_time_shows_paused_not_overdue(
        staff_client, agent, make, django_capture_on_commit_callbacks):
    ticket = make(age=3 * HOUR, answered_ago=2 * HOUR)
    TicketSla.objects.filter(ticket=ticket).update(resolution_due=timezone.now() - HOUR,
                                                   res_breach_at=timezone.now() - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.PENDING, actor=agent)
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-due="paused"' in shown and "Overdue" not in shown


def test_a_pending_ticket_still_owing_its_first_response_keeps_that_clock_running(
        staff_client, agent, make, django_capture_on_commit_callbacks):
    ticket = make(age=30 * MINUTE)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.PENDING, actor=agent)
    assert TicketSla.objects.get(ticket=ticket).paused_at is not None
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-clock="first_response"' in shown and 'data-sla-due="neutral"' in shown
    assert "Paused" not in shown


def test_an_armed_complaint_clock_due_earlier_is_the_one_shown(staff_client, make):
    esc.rule(Trigger.COMPLAINT, target_hours=1)
    ticket = make(age=30 * MINUTE, answered_ago=20 * MINUTE, kind=Ticket.Kind.COMPLAINT)
    shown = badge(list_page(staff_client), ticket)
    assert 'data-sla-clock="complaint"' in shown and 'data-sla-due="warning"' in shown
    assert 'title="Complaint: Due ' in shown


def test_a_complaint_clock_due_later_than_the_first_response_gives_way(staff_client, make):
    esc.rule(Trigger.COMPLAINT, target_hours=4)
    ticket = make(age=30 * MINUTE, kind=Ticket.Kind.COMPLAINT)
    assert 'data-sla-clock="first_response"' in badge(list_page(staff_client), ticket)


def test_resolved_and_closed_tickets_have_no_badge(staff_client, make):
    resolved = make(age=5 * HOUR, status=Ticket.Status.RESOLVED)
    closed = make(age=5 * HOUR, status=Ticket.Status.CLOSED)
    body = list_page(staff_client, LIST + "&status=any")  # the list opens on the unsolved tickets
    assert badge(body, resolved) == "" and badge(body, closed) == ""


def test_a_ticket_without_an_sla_row_or_policy_has_no_badge(staff_client, make):
    without_row = make(sla=False)
    without_policy = make(age=5 * HOUR)
    TicketSla.objects.filter(ticket=without_policy).update(policy=None)
    body = list_page(staff_client)
    assert badge(body, without_row) == "" and badge(body, without_policy) == ""


def test_the_htmx_results_partial_shows_the_badges(staff_client, make):
    ticket = make(age=5 * HOUR)
    body = list_page(staff_client, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-results")
    assert body.lstrip().startswith('<div id="ticket-results"')
    assert 'data-sla-due="danger"' in badge(body, ticket)


def test_the_ticket_page_and_the_list_agree_on_a_clocks_state(staff_client, make):
    ticket = make(age=5 * HOUR)
    detail = staff_client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert re.search(r'data-sla-clock="first_response" data-sla-state="overdue"', detail)
    assert 'data-sla-due="danger"' in badge(list_page(staff_client), ticket)


# --- Query counts ------------------------------------------------------------------------------------


def queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_many(make, n):
    for i in range(n):
        make(age=(30 + 20 * i) * MINUTE, answered_ago=10 * MINUTE if i % 2 else None)


@pytest.fixture
def without_badges(settings):
    """The list as it was before the SLA hooks: the two escalation templates it includes are empty."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader",
         {"escalation/_list_sla.html": "", "escalation/_list_sla_badge.html": ""}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]

    def use(on: bool):
        settings.TEMPLATES = templates if on else copy.deepcopy(original)

    original = copy.deepcopy(settings.TEMPLATES)
    return use


def test_the_badges_cost_one_query_whatever_the_number_of_rows(staff_client, make, without_badges):
    make_many(make, 3)
    few = queries(staff_client)
    without_badges(True)
    few_before = queries(staff_client)
    without_badges(False)
    make_many(make, 27)
    assert 'data-sla-due=' in list_page(staff_client)
    many = queries(staff_client)
    without_badges(True)
    many_before = queries(staff_client)
    assert few == many
    assert few == few_before + 1 and many == many_before + 1


def test_the_badges_of_a_page_are_read_in_a_single_query(make, django_assert_num_queries):
    from escalation.selectors import list_due_badges

    ids = [make(age=(30 + 10 * i) * MINUTE).pk for i in range(30)]
    with django_assert_num_queries(1):
        badges = list_due_badges(ids)
    assert set(badges) == set(ids)
