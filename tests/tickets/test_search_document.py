"""The agents' search document: kept by the services, searched with one condition, folded once.

And the generated sort ranks (priority, status) the list orders by. PostgreSQL plans are checked
in test_list_search_indexes.py.
"""

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.filters import search_condition
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def _found(term: str) -> list[Ticket]:
    return list(Ticket.objects.filter(search_condition(term)))


def _refs(response) -> list[str]:
    return [row.reference for row in response.context["rows"]]


def test_new_ticket_document_holds_customer_subject_and_description(queue):
    customer = factories.CustomerFactory(name="Mari Maasikas", email="Mari@Example.EE")
    ticket = factories.TicketFactory(queue=queue, customer=customer, subject="Printer Jam",
                                     description="Tray TWO is stuck")
    ticket.refresh_from_db()
    assert ticket.search_document == "mari maasikas\nmari@example.ee\nprinter jam\ntray two is stuck"


def test_message_is_appended_to_the_document_in_its_transaction(queue, agent):
    ticket = factories.TicketFactory(queue=queue)
    services.message_add(ticket=ticket, body="The Courier lost it", author_customer=ticket.customer)
    services.message_add(ticket=ticket, body="Checked: DAMAGED box", kind="note", author_user=agent)
    ticket.refresh_from_db()
    assert ticket.search_document.endswith("\nthe courier lost it\nchecked: damaged box")


def test_search_finds_words_of_subject_description_replies_and_notes(queue, agent):
    ticket = factories.TicketFactory(queue=queue, subject="Alpha", description="bravo")
    services.message_add(ticket=ticket, body="charlie", author_customer=ticket.customer)
    services.message_add(ticket=ticket, body="delta", kind="note", author_user=agent)
    factories.TicketFactory(queue=queue, subject="Other")
    assert [_found(term) for term in ("ALPHA", "Bravo", "charLIE", "delta")] == [[ticket]] * 4


def test_search_folds_case_beyond_ascii(queue):
    ticket = factories.TicketFactory(queue=queue, subject="Straße gesperrt", description="Ärger")
    assert _found("STRASSE") == [ticket]
    assert _found("ärger") == [ticket]


def test_search_treats_like_wildcards_as_text(queue):
    factories.TicketFactory(queue=queue, subject="nothing to see")
    percent = factories.TicketFactory(queue=queue, subject="100% broken")
    assert _found("%") == [percent]
    assert _found("_") == []


def test_search_by_exact_reference_still_works(queue):
    ticket = factories.TicketFactory(queue=queue)
    factories.TicketFactory(queue=queue)
    assert _found(ticket.reference.lower()) == [ticket]


def test_list_search_finds_a_word_of_a_later_reply(agent_client, queue, agent):
    ticket = factories.TicketFactory(queue=queue, subject="Question")
    services.message_add(ticket=ticket, body="I would like a refund", author_customer=ticket.customer)
    factories.TicketFactory(queue=queue, subject="Another question")
    response = agent_client.get(reverse("tickets:list"), {"q": "Refund"})
    assert _refs(response) == [ticket.reference]


def test_rebuild_recomputes_the_document_from_customer_subject_description_and_messages(queue):
    ticket = factories.TicketFactory(queue=queue, subject="Old subject")
    services.message_add(ticket=ticket, body="first reply", author_customer=ticket.customer)
    Ticket.objects.filter(pk=ticket.pk).update(subject="New subject", search_document="")
    ticket.refresh_from_db()
    services.search_document_rebuild(ticket=ticket)
    ticket.refresh_from_db()
    customer = f"{ticket.customer.name}\n{ticket.customer.email}".casefold()
    assert ticket.search_document == f"{customer}\nnew subject\n{ticket.description.casefold()}\nfirst reply"


def test_the_admin_cannot_change_the_subject_behind_the_documents_back(client, queue, admin_user):
    """The subject has no service that changes it (and no event), so it is read-only in the admin
    (docs/architecture.md, "No second way in: the admin"): the search document cannot go stale."""
    from tests.admin_forms import post_change

    ticket = factories.TicketFactory(queue=queue, subject="Before")
    client.force_login(admin_user)
    post_change(client, ticket, subject="After the edit")
    assert Ticket.objects.get(pk=ticket.pk).subject == "Before"
    assert _found("before") == [ticket]
    assert _found("after the edit") == []


def test_priority_rank_orders_by_meaning_and_follows_changes(queue, agent):
    low = factories.TicketFactory(queue=queue, priority="low")
    urgent = factories.TicketFactory(queue=queue, priority="urgent")
    normal = factories.TicketFactory(queue=queue, priority="normal")
    assert list(Ticket.objects.order_by("-priority_rank")) == [urgent, normal, low]
    services.ticket_update(ticket=low, actor=agent, priority="high")
    assert list(Ticket.objects.order_by("-priority_rank")) == [urgent, low, normal]


def test_status_rank_follows_the_life_cycle(queue, agent):
    ticket = factories.TicketFactory(queue=queue)
    services.ticket_transition(ticket=ticket, to_status="resolved", actor=agent)
    ticket.refresh_from_db()
    assert (ticket.status_rank, ticket.priority_rank) == (3, 1)


def test_list_sorted_most_urgent_first(agent_client, queue):
    high = factories.TicketFactory(queue=queue, priority="high")
    older_urgent = factories.TicketFactory(queue=queue, priority="urgent")
    newer_urgent = factories.TicketFactory(queue=queue, priority="urgent")
    low = factories.TicketFactory(queue=queue, priority="low")
    response = agent_client.get(reverse("tickets:list"), {"ordering": "-priority"})
    assert _refs(response) == [t.reference for t in (newer_urgent, older_urgent, high, low)]
