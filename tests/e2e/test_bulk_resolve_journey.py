"""Journey: after an outage, an agent filters the ticket list, selects the outage's tickets and resolves
them at once; each customer's satisfaction survey is scheduled. Also without JavaScript, and on a phone."""

import pytest

from feedback.models import Survey
from tests.e2e.factories import Desk
from tickets.models import Ticket

JOURNEY = "bulk-resolve"


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    return Desk()


@pytest.fixture
def outage(desk):
    """Two complaints about the outage, and an unrelated question that must stay as it is."""
    return {
        "first": desk.ticket(subject="Checkout page is down", kind=Ticket.Kind.COMPLAINT),
        "second": desk.ticket(subject="Cannot pay, error 503", kind=Ticket.Kind.COMPLAINT),
        "other": desk.ticket(subject="Do you ship to Iceland?"),
    }


def test_agent_selects_the_outage_tickets_and_resolves_them_at_once(desk, outage, page, login, live_url, shot,
                                                                     console_errors, axe_violations):
    console = console_errors(page)
    login(page, desk.agent)
    assert page.url.startswith(live_url("tickets:list"))
    bar = page.locator("#bulk-form")
    apply = bar.get_by_role("button", name="Apply to selected")
    assert apply.is_disabled()  # nothing selected yet
    shot(page, JOURNEY, "01-list")

    # Filter to the complaints: htmx swaps the results, and the selection keeps working in the new ones.
    page.select_option("#f-kind", "complaint")
    page.wait_for_function("s => !document.querySelector('#ticket-results').innerText.includes(s)",
                           arg=outage["other"].subject)
    assert "kind=complaint" in page.url
    select_all = page.get_by_label("Select all on this page")
    select_all.check()
    assert bar.locator("[data-bulk-count]").inner_text() == "Selected: 2"
    first_box = page.get_by_label(f"Select {outage['first'].reference}: {outage['first'].subject}")
    first_box.uncheck()
    assert bar.locator("[data-bulk-count]").inner_text() == "Selected: 1"
    first_box.check()
    assert select_all.is_checked()
    assert apply.is_enabled()

    # Forgot the status: the browser asks for it before anything is sent; the ticks and reason stay.
    bar.get_by_label("Reason (optional)").fill("Payment provider outage fixed")
    apply.click()
    assert bar.get_by_label("Set status to").evaluate("el => el.validity.valueMissing")
    assert first_box.is_checked() and select_all.is_checked()
    assert Ticket.objects.get(pk=outage["first"].pk).status == "new"

    bar.get_by_label("Set status to").select_option("resolved")
    shot(page, JOURNEY, "02-selected")
    assert axe_violations(page) == []
    with page.expect_navigation():
        apply.click()

    # Back on the same filtered list, with the message; both complaints resolved, the question untouched.
    # The list shows the unsolved work, so the resolved complaints have left it; "any status" shows them.
    assert "kind=complaint" in page.url
    page.get_by_text("2 tickets resolved.").wait_for()
    results = page.locator("#ticket-results")
    assert outage["first"].subject not in results.inner_text()
    page.select_option("#f-status", "any")
    page.wait_for_function("s => document.querySelector('#ticket-results').innerText.includes(s)",
                           arg=outage["first"].subject)
    assert results.locator(".badge", has_text="Resolved").count() == 2
    shot(page, JOURNEY, "03-resolved")
    statuses = {key: Ticket.objects.get(pk=t.pk).status for key, t in outage.items()}
    assert statuses == {"first": "resolved", "second": "resolved", "other": "new"}
    surveys = Survey.objects.filter(ticket__in=[outage["first"], outage["second"]])
    assert sorted(s.state for s in surveys) == [Survey.State.SCHEDULED] * 2
    assert (console.errors, console.csp) == ([], [])


def test_resolving_selected_tickets_works_without_javascript(desk, outage, nojs_context, login, live_url):
    page = nojs_context().new_page()
    login(page, desk.agent)
    page.goto(live_url("tickets:list"))
    # No "select all" without JavaScript: the row boxes do the work, and an empty selection is explained.
    assert not page.get_by_label("Select all on this page").is_visible()
    bar = page.locator("#bulk-form")
    bar.get_by_label("Set status to").select_option("resolved")
    bar.get_by_label("Reason (optional)").fill("Outage fixed")
    with page.expect_navigation():
        bar.get_by_role("button", name="Apply to selected").click()
    assert "Select at least one ticket." in page.locator("#bulk-form").inner_text()
    assert bar.get_by_label("Reason (optional)").input_value() == "Outage fixed"  # nothing typed is lost

    for key in ("first", "second"):
        ticket = outage[key]
        page.get_by_label(f"Select {ticket.reference}: {ticket.subject}").check()
    with page.expect_navigation():
        bar.get_by_role("button", name="Apply to selected").click()
    assert "2 tickets resolved." in page.locator("main").inner_text()
    assert [Ticket.objects.get(pk=outage[k].pk).status for k in ("first", "second", "other")] == [
        "resolved", "resolved", "new"
    ]


def test_the_bulk_bar_fits_a_375_pixel_screen(desk, outage, mobile_context, login, live_url, shot):
    page = mobile_context().new_page()
    login(page, desk.agent)
    page.goto(live_url("tickets:list"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("#bulk-form").get_by_role("button", name="Apply to selected").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    shot(page, JOURNEY, "04-list-375px")
