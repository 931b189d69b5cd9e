"""The browser harness itself: Chromium reaches the live server, screenshots land, axe runs, the
language switcher works, and a real Celery worker runs beside the live server."""

import pytest

from helpdesk.celery import ping


def test_login_page_renders_in_chromium(page, live_url, shot):
    response = page.goto(live_url("login"))
    assert response.status == 200
    assert page.locator("main h1").is_visible()
    path = shot(page, "smoke", "01-login")
    assert path.exists() and path.stat().st_size > 0


def test_login_page_has_no_serious_accessibility_violations(page, live_url, axe_violations):
    page.goto(live_url("login"))
    assert axe_violations(page) == []


def test_login_page_breaks_no_content_security_policy(page, live_url, console_errors):
    log = console_errors(page)
    page.goto(live_url("login"))
    page.wait_for_load_state("networkidle")
    assert (log.errors, log.csp) == ([], [])


def test_language_switcher_shows_the_page_in_the_chosen_language(page, live_url, shot):
    page.goto(live_url("login"))
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("#language-select", "et")  # desk.js submits the form on change
    assert page.locator("html").get_attribute("lang") == "et"
    # Django's own catalogue translates the login form's password label.
    assert page.get_by_label("Salasõna").is_visible()
    shot(page, "smoke", "02-login-in-estonian")


def test_language_switcher_works_without_javascript(nojs_context, live_url):
    page = nojs_context().new_page()
    page.goto(live_url("login"))
    page.select_option("#language-select", "nl")
    with page.expect_navigation():
        page.click("nav form button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "nl"


def test_login_page_fits_a_375_pixel_screen(mobile_context, live_url, shot):
    page = mobile_context().new_page()
    page.goto(live_url("login"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "smoke", "03-login-375px")


@pytest.mark.worker
def test_a_real_worker_runs_beside_the_live_server(celery_worker, page, live_url):
    page.goto(live_url("login"))
    assert ping.delay().get(timeout=30) == "pong"


def test_axe_helper_reports_a_critical_violation(page, axe_violations):
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
