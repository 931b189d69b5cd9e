"""The wow board (D7) on a desktop and a phone: each story's quote sits above its attribution, never over it."""

import pytest

from feedback import services as feedback_services
from tests.e2e.factories import Desk, resolved_ticket_with_sent_survey

JOURNEY = "wow-board"
STORIES = [
    "She called me back on a Saturday to check the fix worked. Wow.",
    "Honest advice: told me the cheaper plan suits me better, and explained why, step by step, with the prices "
    "of both plans side by side. I will stay for that, and I have told my colleagues about it.",
    "Fast.\nAnd kind.",
]


@pytest.fixture
def desk(settings, live_server):
    settings.SITE_URL = live_server.url
    desk = Desk()
    for n, text in enumerate(STORIES):
        _ticket, survey = resolved_ticket_with_sent_survey(queue=desk.queue, agent=desk.agent, subject=f"Order {n}")
        feedback_services.rating_submit(survey_id=survey.pk, stars=5, comment=text)
    return desk


def _quotes_over_their_attribution(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll("main figure")].filter(figure => {
        const quote = figure.querySelector("blockquote").getBoundingClientRect();
        const caption = figure.querySelector("figcaption").getBoundingClientRect();
        return quote.bottom > caption.top + 0.5;
    }).map(figure => figure.querySelector("blockquote").textContent)""")


@pytest.mark.parametrize("screen", ["1280", "375"])
def test_wow_story_quote_sits_above_its_attribution(desk, screen, new_context, mobile_context, login, live_url,
                                                     shot):
    context = mobile_context() if screen == "375" else new_context()
    page = context.new_page()
    login(page, desk.supervisor)
    page.goto(live_url("feedback:wow_board"))
    assert page.locator("main figure").count() == len(STORIES)
    shot(page, JOURNEY, f"board-{screen}")
    assert _quotes_over_their_attribution(page) == []
