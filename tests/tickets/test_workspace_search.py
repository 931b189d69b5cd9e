"""The agent's search finds a ticket by the customer's name or email, and by its bare number."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Customer
from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def maarja(queue):
    customer = factories.CustomerFactory(name="Maarja Tamm", email="Maarja.Tamm@Firma.ee")
    return factories.TicketFactory(queue=queue, customer=customer, subject="Invoice question")


@pytest.fixture
def someone_else(queue):
    customer = factories.CustomerFactory(name="Pieter de Vries", email="pieter@example.nl")
    return factories.TicketFactory(queue=queue, customer=customer, subject="Parcel lost")


def _found(client, term: str) -> list[str]:
    response = client.get(reverse("tickets:list"), {"q": term})
    assert response.status_code == 200
    return [row.reference for row in response.context["rows"]]


@pytest.mark.parametrize("term", ["Maarja Tamm", "tamm", "MAARJA"])
def test_search_finds_a_ticket_by_the_customers_name(agent_client, maarja, someone_else, term):
    assert _found(agent_client, term) == [maarja.reference]


@pytest.mark.parametrize("term", ["maarja.tamm@firma.ee", "firma.ee"])
def test_search_finds_a_ticket_by_the_customers_email(agent_client, maarja, someone_else, term):
    assert _found(agent_client, term) == [maarja.reference]


def test_search_by_name_finds_every_ticket_of_that_customer(agent_client, maarja, someone_else, queue):
    second = factories.TicketFactory(queue=queue, customer=maarja.customer, subject="Another one")
    assert set(_found(agent_client, "Tamm")) == {maarja.reference, second.reference}


def test_bare_ticket_number_finds_its_ticket(agent_client, maarja, someone_else):
    number = maarja.reference.split("-", 1)[1]
    assert maarja.reference in _found(agent_client, number)


@pytest.mark.parametrize("spelling", ["{ref}", "{ref_lower}", "#{number}", " {number} "])
def test_every_spelling_of_a_reference_finds_its_ticket(agent_client, maarja, someone_else, spelling):
    number = maarja.reference.split("-", 1)[1]
    term = spelling.format(ref=maarja.reference, ref_lower=maarja.reference.lower(), number=number)
    assert maarja.reference in _found(agent_client, term)


def test_a_customer_renamed_in_the_admin_is_found_by_the_new_name(agent_client, maarja, admin_user,
                                                                 django_capture_on_commit_callbacks):
    customer = maarja.customer
    customer.name = "Maarja Kask"
    request = RequestFactory().post("/")
    request.user = admin_user
    form = type("Form", (), {"changed_data": ["name"]})()
    with django_capture_on_commit_callbacks(execute=True):  # accounts announces the rename after commit
        site._registry[Customer].save_model(request, customer, form, change=True)
    assert _found(agent_client, "maarja kask") == [maarja.reference]
    assert _found(agent_client, "maarja tamm") == []


def test_a_customers_search_words_survive_a_rebuild(maarja):
    services.search_document_rebuild(ticket=maarja)
    maarja.refresh_from_db()
    assert "maarja tamm" in maarja.search_document and "maarja.tamm@firma.ee" in maarja.search_document


def test_search_box_says_what_it_searches(agent_client, maarja):
    body = agent_client.get(reverse("tickets:list")).content.decode()
    label = body.split('for="f-q"', 1)[1].split("</label>", 1)[0]
    assert "customer" in label.lower() and "number" in label.lower()


def test_migration_puts_the_customer_in_front_of_existing_documents(maarja):
    """Tickets written before the customer was part of the document get it from migration 0006."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from tickets.models import Ticket

    Ticket.objects.filter(pk=maarja.pk).update(search_document="invoice question\nplease help")
    migration = importlib.import_module("tickets.migrations.0009_search_document_customer")
    # The migration ran when Customer was tickets' model; its rows are accounts' now (tickets/0011).
    moved = SimpleNamespace(get_model=lambda app, model: apps.get_model(
        "accounts" if model.lower() == "customer" else app, model))
    migration.prefix_customer(moved, SimpleNamespace(connection=connection))  # all it uses of a schema editor
    maarja.refresh_from_db()
    assert maarja.search_document == "maarja tamm\nmaarja.tamm@firma.ee\ninvoice question\nplease help"


def test_a_ticket_number_shows_its_ticket_first_even_when_newer_tickets_mention_it(agent_client, maarja, queue):
    number = maarja.reference.split("-", 1)[1]
    for i in range(12):  # newer tickets whose text contains the number: they come first by date
        factories.TicketFactory(queue=queue, subject=f"Order {number}{i} missing")
    response = agent_client.get(reverse("tickets:list"), {"q": number, "per_page": 10})
    assert maarja.reference not in [row.reference for row in response.context["rows"]]  # page 1 is newer ones
    assert response.context["exact_match"] == maarja
    html = response.content.decode()
    link = reverse("tickets:detail", args=[maarja.reference])
    assert html.index(f'href="{link}"') < html.index("<table")


def test_no_exact_match_for_an_ordinary_word_or_an_unseen_ticket(agent_client, maarja, queue):
    assert agent_client.get(reverse("tickets:list"), {"q": "invoice"}).context["exact_match"] is None
    hidden = factories.TicketFactory(queue=factories.QueueFactory())  # another team's queue
    number = hidden.reference.split("-", 1)[1]
    assert agent_client.get(reverse("tickets:list"), {"q": number}).context["exact_match"] is None
