"""Journey: ten wrong passwords, then the right one, in Chromium. The desk refuses it with a page in
its own layout, in the visitor's language, that says when to try again (issue 14.4)."""

import pytest

from tests.e2e.conftest import login_as

JOURNEY = "login-lockout"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 10


def _ten_wrong_then_right(page, live_url, user):
    for n in range(10):
        login_as(page, live_url, user, password=f"wrong-{n}")
    login_as(page, live_url, user)


def test_ten_wrong_passwords_then_the_right_one_show_the_lockout_page(new_context, live_url, agent, shot,
                                                                    axe_violations):
    page = new_context().new_page()
    _ten_wrong_then_right(page, live_url, agent)
    assert page.locator("h1").inner_text() == "Logging in is paused"
    assert "You can try again in 15 minutes" in page.locator("main").inner_text()
    assert page.locator("nav.navbar").count() == 1  # the desk's layout
    shot(page, JOURNEY, "01-locked-1280")
    assert axe_violations(page) == []
    page.goto(live_url("tickets:list"))
    assert "/accounts/login/" in page.url  # not logged in


def test_the_lockout_page_in_estonian_on_a_phone(mobile_context, live_url, agent, shot, axe_violations):
    page = mobile_context(locale="et-EE", extra_http_headers={"Accept-Language": "et"}).new_page()
    _ten_wrong_then_right(page, live_url, agent)
    assert page.locator("h1").inner_text() == "Sisselogimine on peatatud"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, JOURNEY, "02-locked-et-375")
    assert axe_violations(page) == []
