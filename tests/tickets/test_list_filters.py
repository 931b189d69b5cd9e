"""The agent's list: views by role, filters, search, sorting, capped pagination."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tickets import selectors_workspace, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _refs(response) -> list[str]:
    return [t.reference for t in response.context["page"]]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def other_queue(db):
    return factories.QueueFactory(slug="other-team-queue")


def test_my_view_lists_only_tickets_assigned_to_me(agent_client, agent, queue):
    mine = factories.TicketFactory(queue=queue)
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?view=my")
    assert _refs(response) == [mine.reference]


def test_unassigned_view_lists_only_tickets_without_assignee(agent_client, agent, queue):
    mine = factories.TicketFactory(queue=queue)
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    free = factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?view=unassigned")
    assert _refs(response) == [free.reference]


def test_team_view_hides_other_teams_tickets(agent_client, queue, other_queue):
    ours = factories.TicketFactory(queue=queue)
    factories.TicketFactory(queue=other_queue)
    response = agent_client.get(reverse("tickets:list") + "?view=team")
    assert _refs(response) == [ours.reference]


def test_agent_asking_for_all_gets_only_their_teams(agent_client, queue, other_queue):
    ours = factories.TicketFactory(queue=queue)
    factories.TicketFactory(queue=other_queue)
    response = agent_client.get(reverse("tickets:list") + "?view=all")
    assert _refs(response) == [ours.reference]


def test_admin_all_view_lists_every_team(client, admin_user, queue, other_queue):
    factories.TicketFactory(queue=queue)
    factories.TicketFactory(queue=other_queue)
    client.force_login(admin_user)
    response = client.get(reverse("tickets:list") + "?view=all")
    assert len(_refs(response)) == 2


def test_view_tabs_show_open_ticket_counts(agent_client, agent, queue):
    mine = factories.TicketFactory(queue=queue)
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    factories.TicketFactory(queue=queue)
    done = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=done, to_status=Ticket.Status.RESOLVED, actor=agent)
    response = agent_client.get(reverse("tickets:list"))
    counts = {v["slug"]: v["count"] for v in response.context["views"]}
    assert counts == {"my": 1, "unassigned": 1, "team": 2}


def test_status_filter_accepts_several_values(agent_client, agent, queue):
    new = factories.TicketFactory(queue=queue)
    pending = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=pending, to_status=Ticket.Status.PENDING, actor=agent)
    resolved = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=resolved, to_status=Ticket.Status.RESOLVED, actor=agent)
    response = agent_client.get(reverse("tickets:list") + "?status=new&status=pending")
    assert set(_refs(response)) == {new.reference, pending.reference}


def test_queue_filter_takes_a_slug(client, admin_user, queue, other_queue):
    factories.TicketFactory(queue=queue)
    theirs = factories.TicketFactory(queue=other_queue)
    client.force_login(admin_user)
    response = client.get(reverse("tickets:list") + "?view=all&queue=other-team-queue")
    assert _refs(response) == [theirs.reference]


@pytest.mark.parametrize("value", ["me", "none", "id"])
def test_assignee_filter_understands_me_none_and_an_id(agent_client, agent, team, queue, value):
    colleague = factories.agent_in(team)
    mine = factories.TicketFactory(queue=queue)
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    theirs = factories.TicketFactory(queue=queue)
    services.ticket_assign(ticket=theirs, assignee=colleague, actor=agent)
    free = factories.TicketFactory(queue=queue)
    param, expected = {"me": ("me", mine), "none": ("none", free), "id": (str(colleague.pk), theirs)}[value]
    response = agent_client.get(reverse("tickets:list") + f"?assignee={param}")
    assert _refs(response) == [expected.reference]


def test_priority_and_kind_filters_combine(agent_client, queue):
    match = factories.TicketFactory(queue=queue, priority="urgent", kind="complaint")
    factories.TicketFactory(queue=queue, priority="urgent", kind="question")
    factories.TicketFactory(queue=queue, priority="low", kind="complaint")
    response = agent_client.get(reverse("tickets:list") + "?priority=urgent&kind=complaint")
    assert _refs(response) == [match.reference]


def test_tag_filter(agent_client, queue):
    tagged = factories.TicketFactory(queue=queue, tags=["vip", "billing"])
    factories.TicketFactory(queue=queue, tags=["billing"])
    response = agent_client.get(reverse("tickets:list") + "?tag=VIP")
    assert _refs(response) == [tagged.reference]


def test_date_filters_accept_plain_dates(agent_client, queue):
    now = timezone.now()
    old = factories.TicketFactory(queue=queue, created_at=now - dt.timedelta(days=40))
    factories.TicketFactory(queue=queue, created_at=now)
    before = (now - dt.timedelta(days=20)).date().isoformat()
    after = (now - dt.timedelta(days=60)).date().isoformat()
    response = agent_client.get(reverse("tickets:list") + f"?created_after={after}&created_before={before}")
    assert _refs(response) == [old.reference]


def test_unreadable_date_is_reported_and_other_filters_still_apply(agent_client, queue):
    urgent = factories.TicketFactory(queue=queue, priority="urgent")
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?created_after=yesterday-ish&priority=urgent")
    assert response.status_code == 200
    assert _refs(response) == [urgent.reference]
    assert "were not understood" in response.content.decode()


def test_search_finds_subject(agent_client, queue):
    hit = factories.TicketFactory(queue=queue, subject="Refund for order 77")
    factories.TicketFactory(queue=queue, subject="Login trouble")
    response = agent_client.get(reverse("tickets:list") + "?q=refund")
    assert _refs(response) == [hit.reference]


def test_search_finds_words_in_messages(agent_client, agent, queue):
    hit = factories.TicketFactory(queue=queue, subject="Question")
    services.message_add(ticket=hit, body="The invoice shows a wrong VAT number", author_user=agent,
                         kind="note")
    factories.TicketFactory(queue=queue, subject="Another question")
    response = agent_client.get(reverse("tickets:list") + "?q=vat number")
    assert _refs(response) == [hit.reference]


def test_search_by_reference_lists_each_ticket_once(agent_client, agent, queue):
    hit = factories.TicketFactory(queue=queue, subject="Anything")
    services.message_add(ticket=hit, body=f"About {hit.reference}", author_user=agent)
    response = agent_client.get(reverse("tickets:list") + f"?q={hit.reference.lower()}")
    assert _refs(response) == [hit.reference]


def test_search_never_reveals_tickets_of_other_teams(agent_client, queue, other_queue):
    factories.TicketFactory(queue=other_queue, subject="Secret refund")
    response = agent_client.get(reverse("tickets:list") + "?q=refund")
    assert _refs(response) == []


def test_priority_sort_puts_urgent_first_not_alphabetical(agent_client, queue):
    low = factories.TicketFactory(queue=queue, priority="low")
    urgent = factories.TicketFactory(queue=queue, priority="urgent")
    high = factories.TicketFactory(queue=queue, priority="high")
    normal = factories.TicketFactory(queue=queue, priority="normal")
    response = agent_client.get(reverse("tickets:list") + "?ordering=-priority")
    assert _refs(response) == [urgent.reference, high.reference, normal.reference, low.reference]


def test_unknown_sort_key_is_ignored(agent_client, queue):
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?ordering=password")
    assert response.status_code == 200


def test_count_stops_at_the_cap_and_says_more(agent_client, queue, monkeypatch):
    monkeypatch.setattr(selectors_workspace, "COUNT_CAP", 3)
    for _ in range(5):
        factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?per_page=10")
    paginator = response.context["page"].paginator
    assert paginator.is_capped
    assert "More than 3 tickets match" in response.content.decode()


def test_pages_follow_each_other_without_overlap(agent_client, queue):
    for _ in range(12):
        factories.TicketFactory(queue=queue)
    first = _refs(agent_client.get(reverse("tickets:list") + "?per_page=10"))
    second = _refs(agent_client.get(reverse("tickets:list") + "?per_page=10&page=2"))
    assert len(first) == 10 and len(second) == 2
    assert not set(first) & set(second)


def test_nonsense_page_number_shows_a_page(agent_client, queue):
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list") + "?page=abc&per_page=7")
    assert response.status_code == 200
    assert response.context["per_page"] == 25


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "abc"])
def test_impossible_assignee_ids_match_nothing_instead_of_failing(agent_client, queue, value):
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list"), {"assignee": value})
    assert response.status_code == 200
    assert _refs(response) == []


def test_overlong_search_is_reported_not_a_failure(agent_client, queue):
    factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list"), {"q": "x" * 500})
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()


def test_search_without_notes_ignores_internal_notes(agent, queue):
    from tickets.filters import ticket_ids_matching

    ticket = factories.TicketFactory(queue=queue, subject="Question")
    services.message_add(ticket=ticket, body="secret-word in a note", kind="note", author_user=agent)
    assert list(Ticket.objects.filter(pk__in=ticket_ids_matching("secret-word"))) == [ticket]
    assert not Ticket.objects.filter(pk__in=ticket_ids_matching("secret-word", include_notes=False)).exists()


def test_the_any_option_of_a_choice_filter_is_no_filter_not_an_error(agent_client, queue):
    first, second = factories.TicketFactory(queue=queue), factories.TicketFactory(queue=queue)
    response = agent_client.get(reverse("tickets:list"), {"view": "all", "status": "", "priority": "", "kind": ""})
    assert "were not understood" not in response.content.decode()
    assert sorted(_refs(response)) == sorted([first.reference, second.reference])


def test_the_any_option_next_to_a_chosen_status_keeps_the_chosen_one(agent_client, agent, queue):
    pending, _new = factories.TicketFactory(queue=queue), factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=pending, to_status=Ticket.Status.PENDING, actor=agent)
    response = agent_client.get(reverse("tickets:list") + "?view=all&status=&status=pending")
    assert _refs(response) == [pending.reference]
