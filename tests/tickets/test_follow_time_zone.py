"""An anonymous customer on the follow page reads times in their own time zone, not the server's."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, TicketFactory
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db


def test_follow_page_shows_times_in_the_customers_time_zone(client, queue):
    customer = CustomerFactory(time_zone="Europe/Tallinn")
    ticket = TicketFactory(queue=queue, customer=customer, created_at=datetime(2026, 1, 15, 10, 30, tzinfo=UTC))
    response = client.get(reverse("tickets:follow", args=[follow_token_for(ticket)]))
    assert response.status_code == 200
    assert "12:30" in response.content.decode()  # 10:30 UTC is 12:30 in Tallinn in winter
