"""Journey 1: a customer opens a ticket on the public form, gets the confirmation email (sent by the
real Celery worker), follows the private link in it and replies."""

import pytest

from tests.e2e.helpers import links_in, wait_for_mail
from tickets.models import Message, Ticket

JOURNEY = "1-customer"
pytestmark = pytest.mark.worker


@pytest.fixture
def desk(queue, settings, live_server):
    """A desk with a default queue; links in emails point at the live server."""
    settings.SITE_URL = live_server.url
    return queue


def test_customer_opens_a_ticket_follows_the_emailed_link_and_replies(
    desk, celery_worker, page, live_url, shot, console_errors
):
    console = console_errors(page)

    # The public form.
    page.goto(live_url("tickets:support"))
    shot(page, JOURNEY, "01-support-form")
    page.get_by_label("Your name").fill("Mari Maasikas")
    page.get_by_label("Your email").fill("mari@example.com")
    page.get_by_label("Subject").fill("My print order arrived damaged")
    page.get_by_label("How can we help?").fill("The poster in order 4711 arrived with a torn corner.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    reference = Ticket.objects.get(customer__email="mari@example.com").reference
    assert reference in page.locator("main").inner_text()
    shot(page, JOURNEY, "02-thanks")

    # The confirmation email, sent by the worker after commit, carries the reference and the private link.
    email = wait_for_mail(to="mari@example.com")
    assert reference in email.subject or reference in email.body
    [follow_link] = links_in(email, "/t/")
    assert follow_link.startswith(live_url("/t/"))

    # The follow page shows the request; the customer replies there.
    page.goto(follow_link)
    main = page.locator("main")
    assert "My print order arrived damaged" in main.inner_text()
    assert "torn corner" in main.inner_text()
    shot(page, JOURNEY, "03-follow-page")
    page.get_by_label("Your reply").fill("Here is one more detail: the tube was crushed too.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send reply").click()
    assert "Thank you, your reply was added." in main.inner_text()
    assert "the tube was crushed too" in main.inner_text()
    shot(page, JOURNEY, "04-after-reply")

    reply = Message.objects.get(ticket__reference=reference, author_customer__email="mari@example.com")
    assert reply.kind == Message.Kind.REPLY
    assert (console.errors, console.csp) == ([], [])
