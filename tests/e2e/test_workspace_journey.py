"""The agent works a ticket: the list opens on the unsolved work and its badge agrees with it; search by
the customer's name; an internal note, then a public reply (the reply box keeps the note mode through
the refresh and a reload, and the two modes look different); a message longer than the limit is not
cut, counted, and refused with the text kept. Plus what axe cannot check: one name per field."""

import pytest
from django.conf import settings

from tests import factories
from tests.e2e.a11y import fields_without_exactly_one_name
from tests.e2e.factories import Desk
from tickets import services
from tickets.models import Message, Ticket

JOURNEY = "workspace"


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    return Desk()


@pytest.fixture
def tickets(desk):
    maarja = factories.CustomerFactory(name="Maarja Tamm", email="maarja@firma.ee")
    target = desk.ticket(subject="Parcel went to the wrong town", customer=maarja)
    services.ticket_assign(ticket=target, assignee=desk.agent, actor=desk.agent)
    done = desk.ticket(subject="Old question, long solved")
    services.ticket_assign(ticket=done, assignee=desk.agent, actor=desk.agent)
    services.ticket_transition(ticket=done, to_status=Ticket.Status.RESOLVED, actor=desk.agent)
    desk.ticket(subject="Somebody else's question")
    return {"target": target, "done": done}


def _reply_box_look(page) -> dict:
    return page.evaluate("""() => { const form = document.querySelector("form.ws-reply");
        const button = form.querySelector("button[name=send]");
        return {background: getComputedStyle(form).backgroundColor, border: getComputedStyle(form).borderTopColor,
                button: button.innerText.trim(), buttonColour: getComputedStyle(button).backgroundColor,
                kind: form.querySelector("input[name=kind]:checked").value}; }""")


def test_agent_works_a_ticket_from_the_list(desk, tickets, page, live_url, login, shot, console_errors):
    console = console_errors(page)
    page.emulate_media(reduced_motion="reduce")  # no colour transitions: read the colours as they end
    target = tickets["target"]
    login(page, desk.agent)
    page.goto(live_url("tickets:list") + "?view=my")
    results = page.locator("#ticket-results")
    # The unsolved work only, and as many tickets as the tab's badge says.
    assert target.subject in results.inner_text() and tickets["done"].subject not in results.inner_text()
    badge = page.locator(".nav-tabs a[aria-current=page] .badge [aria-hidden=true]").inner_text()
    assert results.locator("tbody tr").count() == int(badge) == 1
    assert fields_without_exactly_one_name(page) == []
    shot(page, JOURNEY, "01-my-unsolved-tickets")

    # Search by the customer's name, across every view.
    page.goto(live_url("tickets:list") + "?view=team")
    page.get_by_label("Search: ticket number, customer name or email, words").fill("Maarja")
    page.get_by_label("Search: ticket number, customer name or email, words").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#ticket-results tbody tr').length === 1")
    assert target.reference in results.inner_text()
    shot(page, JOURNEY, "02-search-by-name")

    with page.expect_navigation():
        results.get_by_role("link", name=target.subject).click()
    assert fields_without_exactly_one_name(page) == []
    public = _reply_box_look(page)
    assert public["kind"] == "reply" and public["button"] == "Send to customer"

    # An internal note: the box turns amber and its button says so.
    page.get_by_text("Internal note", exact=True).first.click()
    note = _reply_box_look(page)
    assert note["button"] == "Add internal note"
    assert note["background"] != public["background"] and note["border"] != public["border"]
    assert note["buttonColour"] != public["buttonColour"]
    page.get_by_label("Message").fill("Courier confirms: parcel is in Tartu, not Tallinn.")
    shot(page, JOURNEY, "03-writing-a-note")
    page.get_by_role("button", name="Add internal note").click()
    page.get_by_text("Note added.").wait_for()
    assert _reply_box_look(page)["kind"] == "note"  # after the htmx refresh
    page.reload()
    assert _reply_box_look(page)["kind"] == "note"  # after a full reload
    assert Message.objects.get(ticket=target).kind == Message.Kind.NOTE

    # Then the public reply, chosen deliberately.
    page.get_by_text("Public reply", exact=True).first.click()
    page.get_by_label("Message").fill("Your parcel is on its way to you from Tartu.")
    page.get_by_role("button", name="Send to customer").click()
    page.get_by_text("Reply sent.").wait_for()
    assert list(Message.objects.filter(ticket=target).order_by("pk").values_list("kind", flat=True)) == [
        Message.Kind.NOTE, Message.Kind.REPLY]
    shot(page, JOURNEY, "04-note-then-reply")

    # A message one character too long: not cut, counted, refused with every character kept.
    text = "A very long story. " * (settings.MESSAGE_MAX_LENGTH // 19 + 1)
    text = text[:settings.MESSAGE_MAX_LENGTH] + "!"
    page.get_by_label("Message").fill(text)
    assert page.get_by_label("Message").input_value() == text
    counter = page.locator("#reply_body_helptext")
    assert counter.inner_text() == "20,001 of 20,000 characters: too long"
    page.get_by_role("button", name="Send to customer").click()
    page.locator("#reply_body_error").wait_for()
    assert "Please shorten it by 1 character" in page.locator("#reply_body_error").inner_text()
    assert page.get_by_label("Message").input_value() == text
    assert Message.objects.filter(ticket=target).count() == 2
    shot(page, JOURNEY, "05-too-long-refused")
    assert console.errors == []


def test_a_draft_survives_saving_the_tickets_properties(desk, tickets, page, live_url, login):
    target = tickets["target"]
    login(page, desk.agent)
    page.goto(live_url("tickets:detail", target.reference))
    page.get_by_text("Internal note", exact=True).first.click()
    page.get_by_label("Message").fill("Half-written thought")
    page.get_by_label("Priority", exact=True).select_option("high")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Ticket updated.").wait_for()
    assert page.get_by_label("Message").input_value() == "Half-written thought"
    assert _reply_box_look(page)["kind"] == "note"


def test_estonian_agent_on_a_phone_works_the_same_ticket(desk, tickets, mobile_context, live_url, login, shot):
    desk.agent.profile.language = "et"
    desk.agent.profile.time_zone = "Europe/Tallinn"
    desk.agent.profile.save(update_fields=["language", "time_zone"])
    page = mobile_context(locale="et-EE").new_page()
    login(page, desk.agent)
    page.goto(live_url("tickets:detail", tickets["target"].reference))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    times = page.locator(".ws-timeline time").all_inner_texts()
    assert times and all(t.endswith(("EET", "EEST")) and "." in t.split()[0] for t in times), times
    assert fields_without_exactly_one_name(page) == []
    shot(page, JOURNEY, "06-estonian-375px")
