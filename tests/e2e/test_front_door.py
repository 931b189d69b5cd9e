"""The front door in Chromium: a visitor finds the support form, a lost link and the login from `/`; the
API docs keep the Content-Security-Policy; every page has the desk's icon."""

import pytest

from tests import factories


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("et", 375)])
def test_visitor_finds_help_from_the_front_page(new_context, mobile_context, live_url, shot, console_errors,
                                                axe_violations, language, width):
    context = (mobile_context if width == 375 else new_context)(locale=language)
    page = context.new_page()
    log = console_errors(page)
    page.goto(live_url("/"))

    assert page.locator("main a[href$='/support/']").count()
    shot(page, "front-door", f"01-front-{language}-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.locator("main a[href$='/support/link/']").first.click()
    assert page.locator("main input[name=email]").is_visible()
    shot(page, "front-door", f"02-fresh-link-{language}-{width}")
    page.goto(live_url("login"))
    assert page.locator("main a[href$='/support/']").count()
    assert page.locator("main a[href$='/accounts/password-reset/']").count()
    shot(page, "front-door", f"03-login-{language}-{width}")
    page.wait_for_load_state("networkidle")
    assert (log.errors, log.csp) == ([], [])


def test_api_docs_break_no_content_security_policy(page, live_url, login, console_errors, shot):
    login(page, factories.agent_in(factories.TeamFactory()))
    log = console_errors(page)
    page.goto(live_url("api-docs"))
    page.locator(".swagger-ui .info .title").wait_for()
    page.wait_for_load_state("networkidle")
    shot(page, "front-door", "04-api-docs")

    assert (log.errors, log.csp) == ([], [])


def test_pages_show_the_desk_icon(page, live_url):
    page.goto(live_url("login"))
    icon = page.locator("link[rel=icon]").first.get_attribute("href")

    assert page.request.get(live_url(icon)).ok
    assert page.request.get(live_url("/favicon.ico")).ok
