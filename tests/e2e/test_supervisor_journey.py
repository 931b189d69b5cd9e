"""Journey 3: a supervisor logs in, sees the escalation in the inbox with its routing explanation, approves
the agent's remedy; later a 1-star rating arrives as a service-recovery escalation, which they handle."""

import pytest

from escalation.models import Escalation, Remedy, Trigger
from feedback import services as feedback_services
from feedback.models import Survey
from tests.e2e.factories import Desk
from tickets import services as ticket_services
from tickets.models import Ticket

JOURNEY = "3-supervisor"
pytestmark = pytest.mark.worker


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.SURVEY_DELAY_SECONDS = 0
    return Desk()


def _answered_by_agent(desk: Desk) -> Ticket:
    ticket = desk.ticket(subject="Framed print arrived with cracked glass", kind=Ticket.Kind.COMPLAINT,
                         description="The glass of frame 88 is cracked.")
    ticket_services.ticket_assign(ticket=ticket, assignee=desk.agent, actor=desk.agent)
    ticket_services.message_add(ticket=ticket, body="So sorry! I am arranging a refund.", author_user=desk.agent)
    ticket.refresh_from_db()
    return ticket


# Each form control of the escalation page: its id, how many ids in the page equal it, and how it is named
# (its <label for> elements, aria-label, aria-labelledby).
_CONTROL_NAMES = """() => Array.from(document.querySelectorAll(
    '#escalation-detail form input:not([type=hidden]), #escalation-detail form select, #escalation-detail form textarea'
)).map(el => ({
    id: el.id,
    same_id: el.id ? document.querySelectorAll('[id="' + el.id + '"]').length : 0,
    labels: Array.from(el.labels || []).map(l => l.innerText.trim()),
    aria: [el.getAttribute('aria-label'), el.getAttribute('aria-labelledby')].filter(Boolean),
}))"""


def assert_every_field_has_one_name(page) -> None:
    """No two elements share an id, and every field of the action forms has exactly one accessible name
    (one label, no second naming), distinct from the other fields' names."""
    controls = page.evaluate(_CONTROL_NAMES)
    assert controls, "the escalation page shows no form fields"
    for control in controls:
        assert control["same_id"] == 1, control
        assert len(control["labels"]) + len(control["aria"]) == 1, control
    names = [(control["labels"] or control["aria"])[0] for control in controls]
    assert len(set(names)) == len(names), names


def test_supervisor_approves_a_remedy_then_handles_a_one_star_rating(desk, celery_worker, page, live_url, login,
                                                                     shot, console_errors):
    console = console_errors(page)
    ticket = _answered_by_agent(desk)
    remedy = desk.propose_refund(ticket, desk.AGENT_REFUND_LIMIT + 40, reason="Cracked glass; reprint sold out.")
    escalation = Escalation.objects.get(ticket=ticket, trigger=Trigger.AUTHORITY)
    assert escalation.assigned_to == desk.supervisor
    assert escalation.routing_explanation

    # Log in: the supervisor lands on the escalation inbox, which lists this escalation.
    login(page, desk.supervisor)
    assert page.url.startswith(live_url("escalation:inbox"))
    item = page.locator("#escalation-results a", has_text=ticket.reference)
    assert "Remedy above the agent's authority" in item.inner_text()
    shot(page, JOURNEY, "01-inbox")

    # The escalation explains why it was routed to this supervisor.
    with page.expect_navigation():
        item.click()
    routing = page.locator("dt", has_text="Routing").locator("xpath=following-sibling::dd[1]")
    assert routing.inner_text().strip() == escalation.routing_explanation.strip()
    assert_every_field_has_one_name(page)
    shot(page, JOURNEY, "02-escalation-with-routing")

    # Approve the remedy with a note for the agent.
    with page.expect_navigation():
        page.get_by_role("link", name="Approve or deny").click()
    shot(page, JOURNEY, "03-decide-remedy")
    page.get_by_label("Approve").check()
    page.get_by_label("Note for the agent").fill("Approved: refund the frame in full.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send decision").click()
    assert "Decision sent to Anna Agent." in page.locator("main").inner_text()
    remedy.refresh_from_db()
    escalation.refresh_from_db()
    assert remedy.state == Remedy.State.APPROVED and remedy.decided_by == desk.supervisor
    assert escalation.state == Escalation.State.RESOLVED
    shot(page, JOURNEY, "04-remedy-approved")

    # Later: the agent resolves, the survey goes out, and the customer answers with 1 star.
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=desk.agent)
    survey = Survey.objects.get(ticket=ticket)
    feedback_services.survey_send(survey_id=survey.pk)
    feedback_services.rating_submit(survey_id=survey.pk, stars=1, comment="Nobody told me when the refund comes.")
    recovery = Escalation.objects.get(ticket=ticket, trigger=Trigger.SERVICE_RECOVERY)
    assert recovery.assigned_to == desk.supervisor

    # It arrives in the inbox as a service-recovery escalation, with the rating.
    page.goto(live_url("escalation:inbox"))
    item = page.locator("#escalation-results a", has_text="Service recovery")
    assert ticket.reference in item.inner_text()
    assert "1 star" in item.inner_text() and "Nobody told me" in item.inner_text()
    shot(page, JOURNEY, "05-inbox-service-recovery")

    # Handle it: acknowledge, then resolve with what was done.
    with page.expect_navigation():
        item.click()
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged.").first.wait_for()
    assert_every_field_has_one_name(page)
    page.get_by_label("What was done (optional)").fill(
        "Called the customer: refund confirmed for Friday, apology accepted.")
    page.get_by_role("button", name="Resolve").click()
    page.locator("#escalation-detail .badge", has_text="Resolved").first.wait_for()
    recovery.refresh_from_db()
    assert recovery.state == Escalation.State.RESOLVED and recovery.resolved_by == desk.supervisor
    shot(page, JOURNEY, "06-service-recovery-resolved")
    assert console.errors == []
