"""Journey 4: the customer opens the survey email's 2-star link, sees the confirmation page with 2 stars
preselected and the "where did we go wrong" question, submits with a comment; the rating is visible to
the agent and the supervisor, and service recovery follows (the ticket reopens to the supervisor)."""

import pytest

from escalation.models import Escalation, Trigger
from feedback.models import Rating
from tests.e2e.factories import Desk
from tests.e2e.helpers import links_in, wait_for_mail
from tickets import services as ticket_services
from tickets.models import Ticket

JOURNEY = "4-survey"
pytestmark = pytest.mark.worker


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.SURVEY_DELAY_SECONDS = 0
    return Desk()


def test_two_star_link_records_the_rating_and_starts_service_recovery(desk, celery_worker, new_context, live_url,
                                                                     login, shot, console_errors):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="Liis Lepik", email="liis@example.com")
    ticket = desk.ticket(subject="Canvas print faded after a week", customer=customer)
    ticket_services.ticket_assign(ticket=ticket, assignee=desk.agent, actor=desk.agent)
    ticket_services.message_add(ticket=ticket, body="That should not happen; here is a new print.",
                                author_user=desk.agent)
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=desk.agent)

    # The worker sends the survey email after the resolve commits; it has one link per star.
    email = wait_for_mail(to="liis@example.com", header="X-Delightdesk-Survey")
    [two_stars] = links_in(email, "stars=2")

    # The customer's click: the page confirms 2 stars and asks where we went wrong.
    page = new_context().new_page()
    console = console_errors(page)
    page.goto(two_stars)
    assert page.locator("input[name=stars][value='2']").is_checked()
    assert page.get_by_label("Where did we go wrong?").is_visible()
    assert Rating.objects.filter(ticket=ticket).count() == 0  # opening the link records nothing
    shot(page, JOURNEY, "01-survey-two-stars-preselected")
    page.get_by_label("Where did we go wrong?").fill("The replacement took two weeks.")
    page.get_by_label("Anything else you would like to tell us? (optional)").fill("The agent was kind, though.")
    with page.expect_navigation():
        page.locator("#rating-form button[type=submit]").click()
    assert "Thank you! Your answer is recorded." in page.locator("main").inner_text()
    shot(page, JOURNEY, "02-thanks")
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.stars, rating.follow_up, rating.comment) == (
        2, "The replacement took two weeks.", "The agent was kind, though.")
    assert (console.errors, console.csp) == ([], [])

    # Service recovery follows: the ticket reopens and a supervisor gets it.
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    recovery = Escalation.objects.get(ticket=ticket, trigger=Trigger.SERVICE_RECOVERY)
    assert (recovery.assigned_to, recovery.rating_stars) == (desk.supervisor, 2)

    # The agent sees the rating on the ticket.
    agent_page = new_context().new_page()
    login(agent_page, desk.agent)
    agent_page.goto(live_url("tickets:detail", ticket.reference))
    panel = agent_page.locator("section", has_text="Satisfaction").last
    assert "Rated 2/5" in panel.inner_text() and "The replacement took two weeks." in panel.inner_text()
    shot(agent_page, JOURNEY, "03-agent-sees-rating")

    # The supervisor sees it in the escalation inbox, as service recovery with the rating.
    supervisor_page = new_context().new_page()
    login(supervisor_page, desk.supervisor)
    supervisor_page.goto(live_url("escalation:inbox"))
    item = supervisor_page.locator("#escalation-results a", has_text=ticket.reference)
    assert "Service recovery" in item.inner_text() and "2 stars" in item.inner_text()
    shot(supervisor_page, JOURNEY, "04-supervisor-sees-recovery")
