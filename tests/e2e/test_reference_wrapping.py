"""A ticket reference is one word: "DD-1302" never breaks after its hyphen, on a phone either (the
ratings report's ticket column wrapped it as "DD-" / "1302")."""

import pytest

from feedback import services as feedback_services
from tests import factories
from tests.e2e import factories as e2e

JOURNEY = "reference-wrapping"

# References (DD-1234) shown in the page whose text box spans more than one line.
_BROKEN = """() => [...document.querySelectorAll("main a, main td, main span, main strong")]
  .filter(el => el.children.length === 0 && /^[A-Z]+-\\d+$/.test(el.textContent.trim()))
  .filter(el => { const range = document.createRange(); range.selectNodeContents(el);
                  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  return tops.size > 1; })
  .map(el => el.textContent.trim())"""


@pytest.fixture
def rated(settings, live_server, queue, agent):
    settings.SITE_URL = live_server.url
    tickets = []
    for stars in (5, 4, 2):
        ticket, survey = e2e.resolved_ticket_with_sent_survey(queue=queue, agent=agent,
                                                             customer=factories.CustomerFactory())
        feedback_services.rating_submit(survey_id=survey.pk, stars=stars,
                                        comment="A long comment that takes the room of the narrow table " * 3)
        tickets.append(ticket)
    return tickets


def test_ratings_report_keeps_each_reference_on_one_line_at_375_pixels(mobile_context, live_url, login, rated,
                                                                       shot):
    page = mobile_context().new_page()
    login(page, factories.user_with_role("admin"))
    page.goto(live_url("reports:ratings"))
    assert page.locator("main table a", has_text=rated[0].reference).count() == 1
    shot(page, JOURNEY, "ratings-375px")
    assert page.evaluate(_BROKEN) == []


def test_ticket_list_keeps_each_reference_on_one_line_at_375_pixels(mobile_context, live_url, login, rated, agent,
                                                                    shot):
    page = mobile_context().new_page()
    login(page, agent)
    page.goto(live_url("tickets:list") + "?status=any")
    assert page.locator("#ticket-results a", has_text=rated[0].reference).count() >= 1
    shot(page, JOURNEY, "list-375px")
    assert page.evaluate(_BROKEN) == []
