"""Bulk status changes from the agent's ticket list: tick tickets, choose a status, apply (issue 6)."""

from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Survey
from tests import factories
from tickets import services
from tickets.forms.workspace import MAX_BULK_TICKETS
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

S = Ticket.Status
BULK = reverse("tickets:bulk_status")
LIST = reverse("tickets:list")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def tickets_in(queue, n, **kwargs) -> list[Ticket]:
    # One customer each: the survey throttle surveys only one of a customer's tickets resolved together.
    return [factories.TicketFactory(queue=queue, customer=factories.CustomerFactory(), **kwargs) for _ in range(n)]


def post_bulk(client, tickets, status="resolved", **extra):
    data = {"tickets": [t.pk if isinstance(t, Ticket) else t for t in tickets], "status": status, **extra}
    return client.post(BULK, data)


def statuses(tickets) -> list[str]:
    return [Ticket.objects.get(pk=t.pk).status for t in tickets]


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Doing it ----------------------------------------------------------------------------------------


def test_selected_visible_tickets_are_resolved(agent_client, queue):
    chosen = tickets_in(queue, 3)
    left_alone = tickets_in(queue, 1)
    response = post_bulk(agent_client, chosen)
    assert response.status_code == 302
    assert statuses(chosen) == [S.RESOLVED] * 3
    assert statuses(left_alone) == [S.NEW]


def test_the_message_counts_the_resolved_tickets(agent_client, queue):
    response = post_bulk(agent_client, tickets_in(queue, 12))
    assert flash(response) == ["12 tickets resolved."]


def test_one_ticket_is_counted_in_the_singular(agent_client, queue):
    response = post_bulk(agent_client, tickets_in(queue, 1), status="pending")
    assert flash(response) == [f"1 ticket set to {S.PENDING.label}."]


def test_a_survey_is_scheduled_for_each_resolved_ticket(agent_client, queue):
    chosen = tickets_in(queue, 3)
    post_bulk(agent_client, chosen)
    surveys = Survey.objects.filter(ticket__in=chosen)
    assert sorted((s.ticket_id, s.state) for s in surveys) == sorted((t.pk, Survey.State.SCHEDULED) for t in chosen)


def test_skip_survey_reason_resolves_without_a_survey(agent_client, queue):
    chosen = tickets_in(queue, 2)
    post_bulk(agent_client, chosen, no_follow_up_reason="duplicate of the outage ticket")
    assert statuses(chosen) == [S.RESOLVED] * 2
    surveys = Survey.objects.filter(ticket__in=chosen)
    assert {s.state for s in surveys} == {Survey.State.SKIPPED}
    assert {s.skip_reason for s in surveys} == {Survey.SkipReason.DUPLICATE}


def test_the_reason_is_written_on_each_ticket_timeline(agent_client, queue, agent):
    chosen = tickets_in(queue, 2)
    post_bulk(agent_client, chosen, status="pending", reason="Waiting for the carrier")
    events = TicketEvent.objects.filter(ticket__in=chosen, kind=TicketEvent.Kind.STATUS)
    assert sorted((e.ticket_id, e.to_value, e.reason, e.actor_id) for e in events) == sorted(
        (t.pk, S.PENDING, "Waiting for the carrier", agent.pk) for t in chosen
    )


def test_closed_tickets_are_reported_as_left_unchanged(agent_client, queue, agent):
    open_ones = tickets_in(queue, 2)
    closed = tickets_in(queue, 1)
    services.ticket_transition(ticket=closed[0], to_status=S.RESOLVED, actor=agent)
    services.ticket_transition(ticket=closed[0], to_status=S.CLOSED, actor=agent)
    response = post_bulk(agent_client, [*open_ones, *closed])
    assert flash(response) == [
        "2 tickets resolved.",
        "1 ticket was left as it was: its status does not allow this change.",
    ]
    assert statuses(closed) == [S.CLOSED]


# --- Visibility --------------------------------------------------------------------------------------


def test_another_teams_ticket_in_the_post_is_not_changed(agent_client, queue):
    mine = tickets_in(queue, 1)
    theirs = tickets_in(factories.QueueFactory(team=factories.TeamFactory()), 1)
    post_bulk(agent_client, [*mine, *theirs])
    assert statuses(mine) == [S.RESOLVED]
    assert statuses(theirs) == [S.NEW]
    assert not Survey.objects.filter(ticket__in=theirs).exists()


def test_another_teams_ticket_is_counted_as_unchanged_and_never_named(agent_client, queue):
    mine = tickets_in(queue, 1)
    theirs = tickets_in(factories.QueueFactory(team=factories.TeamFactory()), 1)
    response = post_bulk(agent_client, [*mine, *theirs])
    shown = " ".join(flash(response))
    assert shown == "1 ticket resolved. 1 ticket was left as it was: its status does not allow this change."
    assert theirs[0].reference not in shown and theirs[0].subject not in shown


def test_an_id_of_no_ticket_at_all_is_counted_like_an_invisible_one(agent_client, queue):
    response = post_bulk(agent_client, [*tickets_in(queue, 1), 987654321])
    assert flash(response)[1] == "1 ticket was left as it was: its status does not allow this change."


def test_admin_changes_tickets_of_any_team(client, admin_user, queue):
    chosen = tickets_in(queue, 2)
    client.force_login(admin_user)
    post_bulk(client, chosen, status="open")
    assert statuses(chosen) == [S.OPEN] * 2


# --- Refusals ----------------------------------------------------------------------------------------


def test_no_ticket_selected_is_refused_with_a_clear_message(agent_client, queue):
    tickets_in(queue, 2)
    response = agent_client.post(BULK, {"status": "resolved", "next": LIST})
    assert response.status_code == 400
    assert "Select at least one ticket." in response.content.decode()


def test_more_than_the_limit_is_refused_with_the_message(agent_client, queue):
    chosen = tickets_in(queue, 2)
    ids = [t.pk for t in chosen] + list(range(10_000, 10_000 + MAX_BULK_TICKETS - 1))
    response = post_bulk(agent_client, ids)
    assert response.status_code == 400
    assert "Select at most 500 tickets at a time (you selected 501)." in response.content.decode()
    assert statuses(chosen) == [S.NEW, S.NEW]


def test_exactly_the_limit_is_accepted(agent_client, queue):
    chosen = tickets_in(queue, 2)
    ids = [t.pk for t in chosen] + list(range(10_000, 10_000 + MAX_BULK_TICKETS - 2))
    assert post_bulk(agent_client, ids).status_code == 302
    assert statuses(chosen) == [S.RESOLVED] * 2


@pytest.mark.parametrize("bad", ["abc", "-3", "0", "1.5", "²", str(2**63)])
def test_ids_that_are_not_whole_numbers_are_refused(agent_client, queue, bad):
    chosen = tickets_in(queue, 1)
    response = post_bulk(agent_client, [chosen[0].pk, bad])
    assert response.status_code == 400
    assert "The selection was not understood." in response.content.decode()
    assert statuses(chosen) == [S.NEW]


@pytest.mark.parametrize("status", ["", "new", "deleted"])
def test_a_status_agents_cannot_set_is_refused(agent_client, queue, status):
    chosen = tickets_in(queue, 1)
    response = post_bulk(agent_client, chosen, status=status)
    assert response.status_code == 400
    assert statuses(chosen) == [S.NEW]


def test_a_refused_form_keeps_the_ticks_the_status_and_the_reasons(agent_client, queue):
    chosen = tickets_in(queue, 2)
    others = tickets_in(queue, 1)
    response = post_bulk(agent_client, [*chosen, "x"], reason="Outage fixed",
                         no_follow_up_reason="internal test", next=LIST)
    page = response.content.decode()
    assert response.status_code == 400
    for ticket in chosen:
        assert f'value="{ticket.pk}" form="bulk-form" id="bulk-t-{ticket.pk}" data-bulk-item checked' in page
    assert f'id="bulk-t-{others[0].pk}" data-bulk-item>' in page
    assert '<option value="resolved" selected>' in page
    assert 'value="Outage fixed"' in page and 'value="internal test"' in page


def test_a_refused_form_shows_the_list_the_agent_came_from(agent_client, queue):
    wanted = tickets_in(queue, 1, priority="urgent")
    hidden_by_filter = tickets_in(queue, 1, priority="low")
    came_from = f"{LIST}?{urlencode({'priority': 'urgent'})}"
    response = agent_client.post(BULK, {"status": "resolved", "next": came_from})
    page = response.content.decode()
    assert wanted[0].reference in page
    assert hidden_by_filter[0].reference not in page
    assert f'name="next" value="{came_from.replace("&", "&amp;")}"' in page


def test_a_refused_htmx_post_answers_the_results_partial_with_the_error(agent_client, queue):
    chosen = tickets_in(queue, 1)
    response = agent_client.post(BULK, {"status": "", "tickets": [chosen[0].pk], "reason": "typed", "next": LIST},
                                 HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-results")
    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx answers only
    assert page.startswith('<div id="ticket-results"')
    assert "Choose the status to set." in page
    assert 'value="typed"' in page and "data-bulk-item checked" in page


def test_a_successful_htmx_post_redirects_the_page_to_the_list(agent_client, queue):
    came_from = f"{LIST}?priority=urgent"
    response = agent_client.post(BULK, {"status": "resolved", "tickets": [tickets_in(queue, 1)[0].pk],
                                        "next": came_from},
                                 HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-results")
    assert response.status_code == 204
    assert response["HX-Redirect"] == came_from


# --- Coming back -------------------------------------------------------------------------------------


def test_the_filters_survive_the_redirect(agent_client, queue):
    came_from = f"{LIST}?{urlencode({'view': 'all', 'status': 'new', 'q': 'printer', 'page': '2'})}"
    response = post_bulk(agent_client, tickets_in(queue, 1), next=came_from)
    assert response.status_code == 302
    assert response["Location"] == came_from


@pytest.mark.parametrize("next_url", ["https://evil.example/tickets/", "//evil.example/", "javascript:alert(1)"])
def test_a_next_url_elsewhere_is_replaced_by_the_plain_list(agent_client, queue, next_url):
    response = post_bulk(agent_client, tickets_in(queue, 1), next=next_url)
    assert response["Location"] == LIST


def test_the_list_after_the_redirect_shows_the_message(agent_client, queue):
    chosen = tickets_in(queue, 2)
    response = post_bulk(agent_client, chosen, next=f"{LIST}?view=all")
    page = agent_client.get(response["Location"]).content.decode()
    assert "2 tickets resolved." in page


def test_get_on_the_bulk_url_goes_to_the_list_with_its_query(agent_client):
    # A redrawn (refused) list lives at the bulk URL: its relative links (view tabs, pages) land here.
    response = agent_client.get(BULK + "?view=all&page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?view=all&page=2"


def test_the_bulk_url_is_not_taken_for_a_ticket_reference(agent_client):
    assert reverse("tickets:bulk_status") == "/tickets/bulk-status/"
    assert agent_client.get(BULK).status_code == 302  # not the ticket page's 404


# --- Who may ----------------------------------------------------------------------------------------


def test_customers_are_refused(client, customer_user, ticket):
    client.force_login(customer_user)
    response = post_bulk(client, [ticket])
    assert response.status_code == 403
    assert statuses([ticket]) == [S.NEW]


def test_anonymous_visitors_are_sent_to_login(client, ticket):
    response = post_bulk(client, [ticket])
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert statuses([ticket]) == [S.NEW]


def test_csrf_is_enforced(agent, queue):
    chosen = tickets_in(queue, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = post_bulk(client, chosen)
    assert response.status_code == 403
    assert statuses(chosen) == [S.NEW]


def test_the_list_form_carries_the_csrf_token_that_lets_the_post_through(agent, queue):
    chosen = tickets_in(queue, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.get(LIST)
    token = client.cookies["csrftoken"].value
    response = post_bulk(client, chosen, csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert statuses(chosen) == [S.RESOLVED]


# --- The list page -----------------------------------------------------------------------------------


def test_each_row_has_a_labelled_checkbox_in_the_bulk_form(agent_client, queue):
    [ticket] = tickets_in(queue, 1, subject="Printer on fire")
    page = agent_client.get(LIST).content.decode()
    assert f'name="tickets" value="{ticket.pk}" form="bulk-form"' in page
    label = f'for="bulk-t-{ticket.pk}">Select {ticket.reference}: Printer on fire</label>'
    assert label in page
    assert '<form id="bulk-form" method="post"' in page
    assert f'name="next" value="{LIST}"' in page


def test_the_bar_offers_the_statuses_an_agent_can_move_tickets_to(agent_client, queue):
    tickets_in(queue, 1)
    page = agent_client.get(LIST).content.decode()
    bar = page[page.index('id="bulk-form"'):page.index("</form>", page.index('id="bulk-form"'))]
    for value in ("open", "pending", "resolved", "closed"):
        assert f'<option value="{value}">' in bar
    assert '<option value="new"' not in bar


def test_the_htmx_results_carry_the_bulk_form_and_the_filtered_next(agent_client, queue):
    tickets_in(queue, 1)
    response = agent_client.get(f"{LIST}?status=new", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-results")
    page = response.content.decode()
    assert page.startswith('<div id="ticket-results"')
    assert '<form id="bulk-form"' in page and 'name="csrfmiddlewaretoken"' in page
    assert f'name="next" value="{LIST}?status=new"' in page


def test_the_page_loads_the_selection_script(agent_client, queue):
    tickets_in(queue, 1)
    assert "js/bulk_select.js" in agent_client.get(LIST).content.decode()


def test_user_text_in_the_checkbox_label_is_escaped(agent_client, queue):
    tickets_in(queue, 1, subject="<script>alert(1)</script>")
    page = agent_client.get(LIST).content.decode()
    assert "<script>alert(1)" not in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_bulk_bar_adds_no_query_per_row(agent_client, queue):
    url = f"{LIST}?per_page=100"
    tickets_in(queue, 2)
    few = _queries(agent_client, url)
    tickets_in(queue, 40)
    many = _queries(agent_client, url)
    assert few == many


def test_the_bulk_post_costs_the_same_queries_for_few_and_many_tickets(agent_client, queue):
    few_tickets, many_tickets = tickets_in(queue, 2), tickets_in(queue, 40)
    with CaptureQueriesContext(connection) as few:
        post_bulk(agent_client, few_tickets, status="pending")
    with CaptureQueriesContext(connection) as many:
        post_bulk(agent_client, many_tickets, status="pending")
    assert len(few.captured_queries) == len(many.captured_queries)
