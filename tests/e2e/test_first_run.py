"""The desk as its users meet it (issue 13's closing journey): the real `Procfile.dev` (`make run` in a fresh
copy: web, worker and beat, demo data), in Chromium, in Estonian.

A customer opens a ticket through /support/ on a phone, follows the emailed link, the agent replies and resolves
in the browser, the survey email arrives, ONE tap on the page its two-star link opens records 2 stars, then the
customer answers "Where did we go wrong?". The supervisor (Estonian) sees the escalation with that answer, and
is told by email; the dashboard's counts agree with the inbox and the navigation badge. The emails are read as
sent (the staff's Sent mail page, `/dev/mail/`). Every page and email of the journey is read for English the
catalogues translate (tests/i18n/leftovers.py); the demo's own data (names, queues, the demo tickets' subjects)
is data, not the desk's words.

Screenshots: test-artifacts/first-run/, every step at 1280 px, the customer's at 375 px too.
"""

import re
import secrets

import pytest
from django.utils import translation

from accounts import demo as people_demo
from tests.e2e.conftest import take_screenshot
from tests.i18n.leftovers import english_left, in_context, mail_text, page_text
from tests.shipped.desk import links_in, text_of
from tickets import demo as ticket_demo

pytestmark = pytest.mark.shipped
JOURNEY = "first-run"
LANGUAGE = "et"
SUBJECT = "Printer prindib tühje lehti"
DESCRIPTION = "Alates esmaspäevast prindib ruumi 4 printer ainult tühje lehti. Toonerit vahetasime eile."
REPLY = "Vahetasime printeri trumli välja; palun proovige uuesti."
ANSWER = "Keegi ei öelnud mulle, et trumlit polnud terve nädal laos."
# The demo's data: what its people are called and wrote (English where the demo typed English).
DEMO_DATA = (
    *(name for name, _slug, _tz in people_demo.TEAMS), *(name for name, *_rest in ticket_demo.QUEUES),
    *(f"{first} {last}" for _u, first, last, *_rest in people_demo.STAFF),
    *(subject for subject, *_rest in ticket_demo.SUBJECTS), *(title for title, _text in ticket_demo.MACROS),
    *people_demo.COMPANIES,
)


def _in(text: str) -> str:
    with translation.override(LANGUAGE):
        return translation.gettext(text)


class Journey:
    """The shipped desk, the browser contexts of the journey's people, and what they saw."""

    def __init__(self, desk, new_context, mobile_context):
        self.desk = desk
        self.phone = mobile_context(locale="et-EE").new_page()
        self.laptop = new_context(locale="et-EE").new_page()  # the customer's other screen: the same pages
        self.agent = new_context(locale="et-EE").new_page()
        self.supervisor = new_context(locale="et-EE").new_page()
        self.english: dict[str, list[str]] = {}

    def url(self, path: str) -> str:
        return self.desk.absolute(path)

    def read(self, where: str, text: str) -> None:
        """Remember any English the catalogues translate that this page or email still shows."""
        left = english_left(text, LANGUAGE, allowed=(*DEMO_DATA, SUBJECT, DESCRIPTION, REPLY, ANSWER))
        if left:
            self.english[where] = [in_context(piece, text) for piece in left]

    def look(self, page, step: str, *, also_on_laptop: bool = False, read: bool = True) -> None:
        """Screenshot the page (and the same address on the laptop for a customer's step), read it."""
        width = page.viewport_size["width"]
        take_screenshot(page, JOURNEY, f"{step}-{width}px")
        if read:
            self.read(f"{step} ({width} px)", page_text(page.content()))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{step}: scrolls sideways"
        if also_on_laptop:
            self.laptop.goto(page.url)
            self.look(self.laptop, step)

    def log_in(self, page, username: str) -> None:
        page.goto(self.url("/accounts/login/"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", people_demo.PASSWORD)
        with page.expect_navigation():
            page.click("main form[method=post] button[type=submit]")

    def mail(self, *, to: str, containing: str, step: str, language: str = LANGUAGE):
        """The email as sent, from the Sent mail page (as the supervisor, staff); its text read for English
        when it is written for an Estonian reader."""
        message = self.desk.wait_for_mail(to=to, containing=containing)
        if language == LANGUAGE:
            self.read(f"email {message['Subject']!r}", mail_text(message))
        page = self.supervisor
        page.goto(self.url("/dev/mail/"))
        with page.expect_navigation():
            page.locator("main a", has_text=str(message["Subject"])).first.click()
        assert containing in page.locator("main pre").inner_text()
        self.look(page, step, read=language == LANGUAGE)
        return message


@pytest.fixture
def journey(shipped_desk, new_context, mobile_context):
    return Journey(shipped_desk, new_context, mobile_context)


def test_first_run_in_estonian_from_the_support_form_to_the_supervisor(journey, console_errors):
    customer_email = f"kadri-{secrets.token_hex(3)}@example.ee"
    phone, agent, supervisor = journey.phone, journey.agent, journey.supervisor
    console = console_errors(phone)
    journey.log_in(supervisor, "supervisor")  # Mari Tamm, who reads Estonian

    # 1. The customer opens a ticket on the support form, on a phone, in Estonian.
    phone.goto(journey.url("/support/"))
    assert phone.locator("html").get_attribute("lang") == LANGUAGE
    journey.look(phone, "01-support-form", also_on_laptop=True)
    phone.get_by_label(_in("Your name")).fill("Kadri Tamm")
    phone.get_by_label(_in("Your email")).fill(customer_email)
    phone.get_by_label(_in("Subject")).fill(SUBJECT)
    phone.get_by_label(_in("How can we help?")).fill(DESCRIPTION)
    with phone.expect_navigation():
        phone.get_by_role("button", name=_in("Send"), exact=True).tap()
    reference = re.search(r"\b[A-Z]+-\d+\b", phone.locator("main").inner_text()).group(0)
    journey.look(phone, "02-thanks", also_on_laptop=True)

    # 2. The confirmation email, as sent; its link opens the ticket's follow page.
    confirmation = journey.mail(to=customer_email, containing="/t/", step="03-confirmation-email")
    assert reference in str(confirmation["Subject"])
    [follow] = links_in(confirmation, "/t/")
    assert follow.startswith(journey.desk.url + "/")
    phone.goto(follow)
    assert SUBJECT in phone.locator("main").inner_text()
    journey.look(phone, "04-follow-page", also_on_laptop=True)

    # 3. The agent (Jaan, an English speaker) switches the desk to Estonian, replies and resolves.
    journey.log_in(agent, "agent")
    agent.goto(journey.url(f"/tickets/{reference}/"))
    with agent.expect_navigation():
        agent.locator("#language-select").select_option(LANGUAGE)
    assert agent.locator("html").get_attribute("lang") == LANGUAGE
    journey.look(agent, "05-agent-ticket")
    agent.locator("[data-reply-body]").fill(REPLY)
    agent.get_by_label(_in("After sending")).select_option("resolved")
    agent.get_by_role("button", name=_in("Send to customer"), exact=True).click()
    agent.locator(".ws-timeline").get_by_text(REPLY).wait_for()
    agent.locator("#ticket .badge", has_text=_in("Resolved")).first.wait_for()
    journey.look(agent, "06-agent-replied-and-resolved")

    # 4. The reply reaches the customer; then the survey email.
    journey.mail(to=customer_email, containing=REPLY, step="07-reply-email")
    survey = journey.mail(to=customer_email, containing="/survey/", step="08-survey-email")
    [two_stars] = links_in(survey, "stars=2")
    assert two_stars.startswith(journey.desk.url + "/")

    # 5. ONE tap on the page the two-star link opens records 2 stars.
    phone.goto(two_stars)
    assert phone.locator("input[name=stars][value='2']").is_checked()
    journey.look(phone, "09-survey-two-stars", also_on_laptop=True)
    with phone.expect_navigation():
        phone.get_by_role("button", name=_in("Send my rating"), exact=True).tap()
    recorded = phone.locator("#saved-answer").inner_text()
    assert _in("Thank you! Your answer is recorded.") in recorded and "2" in recorded
    journey.look(phone, "10-rating-recorded", also_on_laptop=True)

    # 6. Then the customer answers "Where did we go wrong?".
    phone.get_by_label(_in("Where did we go wrong?")).fill(ANSWER)
    with phone.expect_navigation():
        phone.get_by_role("button", name=_in("Update my answer"), exact=True).tap()
    assert phone.get_by_label(_in("Where did we go wrong?")).input_value() == ANSWER
    journey.look(phone, "11-answer-recorded", also_on_laptop=True)

    # 7. The supervisor sees the escalation with the customer's answer, in Estonian.
    supervisor.goto(journey.url("/escalations/"))
    item = supervisor.locator("#escalation-results a", has_text=reference)
    assert ANSWER in item.inner_text() and _in("Where did we go wrong?") in item.inner_text()
    journey.look(supervisor, "12-supervisor-inbox")
    with supervisor.expect_navigation():
        item.click()
    detail = supervisor.locator("#escalation-detail").inner_text()
    assert ANSWER in supervisor.locator("[data-rating-follow-up]").inner_text()
    assert f"{_in('The customer answered')}" in detail
    journey.look(supervisor, "13-escalation")
    # Its handler was told, in the handler's language, with the answer. (Who handles it depends on the hour:
    # out of the team's working hours nobody is on shift and the least loaded handler, maybe the admin, gets it.)
    handler = supervisor.locator("dt", has_text=_in("Handled by")).locator("xpath=following-sibling::dd[1]")
    username, language = _staff_named(handler.inner_text())
    told = journey.mail(to=f"{username}@delightdesk.localhost", containing=ANSWER,
                        step="14-answer-email-to-the-handler", language=language)
    with translation.override(language):
        said = translation.gettext("The customer answered: “%(answer)s”") % {"answer": ANSWER}
    assert said in text_of(told)

    # 8. The dashboard's counts agree with the inbox and the navigation badge.
    supervisor.goto(journey.url("/escalations/"))
    inbox = _counts(supervisor, "#escalation-counts")
    listed = supervisor.locator("#escalation-results .list-group-item").count()
    supervisor.goto(journey.url("/escalations/?scope=mine"))
    listed_mine = supervisor.locator("#escalation-results .list-group-item").count()
    supervisor.goto(journey.url("/reports/"))
    dashboard = _counts(supervisor, "main")
    badge = supervisor.locator("nav a[href='/escalations/'] .badge")
    journey.look(supervisor, "15-dashboard")
    assert inbox == dashboard, (inbox, dashboard)
    assert (inbox["open"], inbox["mine"]) == (listed, listed_mine)
    assert (badge.inner_text() if badge.count() else "0") == str(inbox["mine"])

    assert journey.english == {}, "English left on the Estonian journey:\n" + "\n".join(
        f"- {where}: {left}" for where, left in journey.english.items())
    assert console.errors == []


def _staff_named(name: str) -> tuple[str, str]:
    """(username, language) of the demo's staff member called `name`."""
    [found] = [(username, language) for username, first, last, _role, _teams, language, _tz in people_demo.STAFF
               if f"{first} {last}" == name.strip()]
    return found


def _counts(page, scope: str) -> dict[str, int]:
    area = page.locator(scope).first
    return {name: int(area.locator(f"[data-count='{name}']").first.inner_text()) for name in ("open", "mine")}
