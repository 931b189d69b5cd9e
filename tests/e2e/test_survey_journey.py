"""Journey 4: the customer opens a star link of the survey email (as found in the sent message), and one tap on
the page that opens records the rating, at 1280 and 375 px, in English and Estonian; the follow-up question can
be answered after the rating is recorded; a saved answer is never flipped by another star link; a refused
answer takes the focus to an error summary. The rating is visible to the agent and the supervisor, and
service recovery follows (the ticket reopens to the supervisor)."""

import re

import pytest
from django.utils import translation

from escalation.models import Escalation, Trigger
from feedback import services as feedback_services
from feedback.models import Rating, Survey
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.factories import Desk
from tests.e2e.helpers import URL, links_in, wait_for_mail
from tests.factories import CustomerFactory
from tickets import services as ticket_services
from tickets.models import Ticket

JOURNEY = "4-survey"


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.SURVEY_DELAY_SECONDS = 0
    return Desk()


def _resolve(desk: Desk, customer) -> Ticket:
    ticket = desk.ticket(subject="Canvas print faded after a week", customer=customer)
    ticket_services.ticket_assign(ticket=ticket, assignee=desk.agent, actor=desk.agent)
    ticket_services.message_add(ticket=ticket, body="That should not happen; here is a new print.",
                                author_user=desk.agent)
    ticket.refresh_from_db()
    ticket_services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=desk.agent)
    return ticket


def _sent_survey_email(desk: Desk, customer):
    """(ticket, the survey email) with the survey sent through the outbox service (no worker needed)."""
    ticket = _resolve(desk, customer)
    feedback_services.survey_send(survey_id=Survey.objects.get(ticket=ticket).pk)
    return ticket, wait_for_mail(to=customer.email, header="X-Delightdesk-Survey")


def _html_star_link(email, stars: int) -> str:
    """The star link of the HTML part, the one a customer clicks."""
    html = email.alternatives[0][0]
    [link] = [u.replace("&amp;", "&") for u in URL.findall(html) if f"stars={stars}" in u]
    return link


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def _above_the_fold(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def _fold_shot(page, step: str) -> None:
    """What the customer sees without scrolling (the full-page shot is taken by `shot`)."""
    (ARTIFACTS / JOURNEY).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / JOURNEY / f"{step}-fold.png"))


def _fields_without_exactly_one_name(page) -> list[str]:
    """Form fields of the page with no accessible name or more than one source of it (label elements,
    aria-labelledby, aria-label): a screen reader announces those wrongly or not at all."""
    return page.evaluate(
        """() => [...document.querySelectorAll("input:not([type=hidden]), textarea, select")]
            .filter(el => {
                const sources = (el.labels ? el.labels.length : 0)
                    + (el.hasAttribute("aria-labelledby") ? 1 : 0) + (el.hasAttribute("aria-label") ? 1 : 0);
                const text = el.labels && el.labels[0] ? el.labels[0].textContent.trim()
                    : (el.getAttribute("aria-label") || "").trim();
                return sources !== 1 || !text;
            })
            .map(el => el.id || el.name)"""
    )


@pytest.mark.parametrize("language", ["en", "et"])
@pytest.mark.parametrize("width", [1280, 375])
def test_a_star_link_from_the_email_records_the_rating_with_one_tap(desk, new_context, mobile_context, shot,
                                                                   console_errors, width, language):
    customer = CustomerFactory(name="Liis Lepik", email="liis@example.com", language=language)
    ticket, email = _sent_survey_email(desk, customer)
    send = _in(language, "Send my rating")
    assert send != "Send my rating" or language == "en"
    assert send in email.body and send in email.alternatives[0][0]  # the email names the button

    context = mobile_context(locale=language) if width == 375 else new_context(locale=language)
    page = context.new_page()
    console = console_errors(page)
    page.goto(_html_star_link(email, 4))
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    four = page.get_by_role("radio", name=re.compile(r"^4 ★ " + re.escape(_in(language, "Satisfied with the service"))))
    assert four.is_checked() and _above_the_fold(page, page.locator("label[for='id_stars_1']"))
    assert Rating.objects.filter(ticket=ticket).count() == 0  # opening the link records nothing
    _fold_shot(page, f"05-star-link-{language}-{width}px")

    taps = 0
    while not Rating.objects.filter(ticket=ticket).exists():
        assert taps < 3, "the rating is still not recorded after three taps"
        button = page.get_by_role("button", name=send, exact=True)
        assert _above_the_fold(page, button)
        with page.expect_navigation():
            button.tap() if width == 375 else button.click()
        taps += 1
    assert taps == 1
    assert Rating.objects.get(ticket=ticket).stars == 4
    assert _in(language, "Thank you! Your answer is recorded.") in page.locator("main").inner_text()
    shot(page, JOURNEY, f"06-recorded-{language}-{width}px")
    assert (console.errors, console.csp) == ([], [])


@pytest.mark.worker
def test_two_star_link_records_the_rating_and_starts_service_recovery(desk, celery_worker, new_context, live_url,
                                                                     login, shot, console_errors):
    customer = CustomerFactory(name="Liis Lepik", email="liis@example.com")
    ticket = _resolve(desk, customer)

    # The worker sends the survey email after the resolve commits; it has one link per star.
    email = wait_for_mail(to="liis@example.com", header="X-Delightdesk-Survey")
    [two_stars] = links_in(email, "stars=2")

    # The customer's click: the page shows 2 stars chosen; one tap records them.
    page = new_context().new_page()
    console = console_errors(page)
    page.goto(two_stars)
    assert page.locator("input[name=stars][value='2']").is_checked()
    assert page.get_by_label("Where did we go wrong?").is_visible()
    assert Rating.objects.filter(ticket=ticket).count() == 0  # opening the link records nothing
    shot(page, JOURNEY, "01-survey-two-stars-preselected")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my rating").click()
    assert "Thank you! Your answer is recorded." in page.locator("main").inner_text()
    assert Rating.objects.get(ticket=ticket).stars == 2

    # The follow-up question, answered after the rating is recorded: the rating stays.
    page.get_by_label("Where did we go wrong?").fill("The replacement took two weeks.")
    page.get_by_label("Anything else you would like to tell us? (optional)").fill("The agent was kind, though.")
    with page.expect_navigation():
        page.get_by_role("button", name="Update my answer").click()
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


def test_another_star_link_never_flips_a_saved_complaint(desk, new_context, shot, console_errors):
    customer = CustomerFactory(email="liis@example.com")
    ticket, email = _sent_survey_email(desk, customer)
    feedback_services.rating_submit(survey_id=Survey.objects.get(ticket=ticket).pk, stars=2,
                                    follow_up="The replacement took two weeks.")
    page = new_context().new_page()
    console = console_errors(page)
    page.goto(_html_star_link(email, 5))
    assert page.locator("input[name=stars][value='2']").is_checked()
    assert page.get_by_label("Where did we go wrong?").input_value() == "The replacement took two weeks."
    assert "The link you opened is for 5 out of 5" in page.locator("#saved-answer").inner_text()
    shot(page, JOURNEY, "07-saved-complaint-five-star-link")

    # Choosing 5 stars asks the other question; the complaint is not filed under it without a word.
    page.locator("label[for='id_stars_0']").click()
    assert "written for “Where did we go wrong?”" in page.locator("#follow-up-note").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Update my rating").click()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_label("What did we do right?").input_value() == "The replacement took two weeks."
    assert Rating.objects.get(ticket=ticket).stars == 2
    shot(page, JOURNEY, "08-moved-answer-asked-first")
    assert [e for e in console.errors if "status of 400" not in e] == [] and console.csp == []  # 400: refused


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_refused_answer_takes_the_focus_to_an_error_summary(desk, new_context, shot, javascript, axe_violations):
    customer = CustomerFactory(email="liis@example.com")
    ticket, email = _sent_survey_email(desk, customer)
    [plain_link] = [u for u in links_in(email, "/survey/") if "stars=" not in u]
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(plain_link)
    assert _fields_without_exactly_one_name(page) == []
    page.get_by_label("What did we do right, or where did we go wrong?").fill("Long story I typed")
    page.get_by_label("Anything else you would like to tell us? (optional)").fill("And more.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()

    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Please choose a rating from 1 to 5 stars." in summary.inner_text()
    assert page.get_by_label("What did we do right, or where did we go wrong?").input_value() == "Long story I typed"
    assert page.get_by_label("Anything else you would like to tell us? (optional)").input_value() == "And more."
    assert _fields_without_exactly_one_name(page) == []
    assert not Rating.objects.filter(ticket=ticket).exists()
    shot(page, JOURNEY, f"09-refused-{'js' if javascript else 'nojs'}")
    if javascript:  # axe runs in the page
        assert axe_violations(page) == []
