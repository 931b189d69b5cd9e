"""Contrast that axe-core cannot judge or that it judges only on one page state: text and links in the
dashboard's faded rows (few responses), and the focus ring on the dark navigation bar (WCAG 1.4.3 and
1.4.11: 4.5:1 for text, 3:1 for a focus indicator)."""

import pytest

from feedback import services as feedback_services
from tests import factories
from tests.e2e import factories as e2e
from tests.e2e.a11y import focus_indicator_contrast, text_contrasts

JOURNEY = "contrast"


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server


def test_text_and_links_in_faded_rows_keep_4_5_to_1(page, site, live_url, login, queue, agent, shot):
    # Two ratings this week: fewer than the minimum, so the week's row is shown faded.
    for stars in (5, 2):
        _ticket, survey = e2e.resolved_ticket_with_sent_survey(queue=queue, agent=agent,
                                                               customer=factories.CustomerFactory())
        feedback_services.rating_submit(survey_id=survey.pk, stars=stars)
    supervisor = factories.supervisor_of(queue.team)
    login(page, supervisor)
    page.goto(live_url("reports:dashboard"))
    faded = "tr.figure-thin a, tr.figure-thin td, tr.figure-thin th"
    assert page.locator("tr.figure-thin a").count() > 0
    shot(page, JOURNEY, "dashboard-faded-rows")
    assert [c for c in text_contrasts(page, faded) if c["ratio"] < 4.5] == []


def test_focus_ring_on_the_dark_navigation_bar_keeps_3_to_1(page, site, live_url, login, agent, shot):
    login(page, agent)
    page.goto(live_url("tickets:list"))
    checked = []
    for _ in range(30):  # Tab through the bar: the skip link, the brand, each link, the language, log out
        page.keyboard.press("Tab")
        in_bar = page.evaluate("() => !!document.activeElement.closest('nav.navbar')")
        if not in_bar:
            if checked:
                break
            continue
        name = page.evaluate("() => document.activeElement.textContent.trim().slice(0, 30)"
                             " || document.activeElement.id")
        ring = focus_indicator_contrast(page)
        checked.append((name, ring["what"], round(ring["ratio"], 2)))
        if name == "Tickets":
            shot(page, JOURNEY, "navbar-focus")
    assert len(checked) >= 4, checked
    assert [c for c in checked if c[2] < 3] == []
