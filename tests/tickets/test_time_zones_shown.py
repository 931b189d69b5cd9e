"""Where an agent and a customer may read the same moment in different time zones (the ticket's timeline,
the follow page, the customer's list), each time carries its zone, in the reader's date style."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)  # 12:30 in Tallinn (EET), 5:30 in New York (EST)


@pytest.fixture
def tallinn_agent(agent):
    agent.profile.time_zone = "Europe/Tallinn"
    agent.profile.save(update_fields=["time_zone"])
    return agent


@pytest.fixture
def new_york_ticket(queue):
    customer = factories.CustomerFactory(time_zone="America/New_York")
    ticket = factories.TicketFactory(queue=queue, customer=customer, created_at=OPENED)
    services.message_add(ticket=ticket, body="Where is my parcel?", author_customer=customer, created_at=OPENED)
    return ticket


def _times(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<time[^>]*>(.*?)</time>", html, re.S)]


def test_agent_reads_the_timeline_in_their_zone_with_the_zone_named(client, tallinn_agent, new_york_ticket):
    client.force_login(tallinn_agent)
    html = client.get(reverse("tickets:detail", args=[new_york_ticket.reference])).content.decode()
    assert "Jan. 15, 2026, 12:30 p.m. EET" in _times(html)


def test_customer_reads_the_same_moment_in_their_zone_with_the_zone_named(client, new_york_ticket):
    html = client.get(reverse("tickets:follow", args=[follow_token_for(new_york_ticket)])).content.decode()
    assert "Jan. 15, 2026, 5:30 a.m. EST" in _times(html)


def test_estonian_agent_reads_an_estonian_date_and_a_24_hour_clock(client, tallinn_agent, new_york_ticket):
    tallinn_agent.profile.language = "et"
    tallinn_agent.profile.save(update_fields=["language"])
    client.force_login(tallinn_agent)
    html = client.get(reverse("tickets:detail", args=[new_york_ticket.reference])).content.decode()
    assert "15. jaanuar 2026 12:30 EET" in _times(html)
    assert not re.search(r"\d{2}/\d{2}/\d{4}|e\.l\.|p\.l\.", html)


def test_ticket_timeline_uses_one_date_format(client, tallinn_agent, new_york_ticket):
    client.force_login(tallinn_agent)
    html = client.get(reverse("tickets:detail", args=[new_york_ticket.reference])).content.decode()
    timeline = html.split('class="list-unstyled ws-timeline"', 1)[1].split("</ol>", 1)[0]
    times = _times(timeline)
    assert len(times) >= 3  # opened, the created event, the customer's message
    assert all(re.fullmatch(r"[A-Z][a-z]+\.? \d{1,2}, \d{4}, \d{1,2}(:\d\d)? [ap]\.m\. EET", t) for t in times), times


def test_logged_in_customer_sees_the_zone_of_each_update(client, queue, customer_user):
    customer = customer_user.customer
    customer.time_zone = "America/New_York"
    customer.save(update_fields=["time_zone"])
    customer_user.profile.time_zone = "America/New_York"
    customer_user.profile.save(update_fields=["time_zone"])
    factories.TicketFactory(queue=queue, customer=customer, created_at=OPENED)
    client.force_login(customer_user)
    html = client.get(reverse("tickets:my_tickets")).content.decode()
    assert re.search(r"Last update [^<]*\d{4}, [^<]* (EST|EDT)", html)


def test_list_row_names_the_moment_and_zone_of_its_relative_time(client, tallinn_agent, new_york_ticket):
    client.force_login(tallinn_agent)
    html = client.get(reverse("tickets:list")).content.decode()
    assert re.search(r'<time datetime="[^"]+" title="[^"]*\d{4}[^"]* (EET|EEST)"', html)
