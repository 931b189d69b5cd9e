"""The three pages a customer reaches without an account (the public form, the follow page, the survey
page): no serious or critical axe-core violations, usable on a 375-pixel-wide screen, and working with
JavaScript switched off."""

import pytest

from feedback.models import Rating
from tests.e2e import factories as e2e
from tickets.models import Message, Ticket

JOURNEY = "accessibility"


@pytest.fixture
def site(settings, live_server, queue):
    settings.SITE_URL = live_server.url
    settings.SURVEY_DELAY_SECONDS = 0
    return live_server


@pytest.fixture
def follow_link(site, queue, agent):
    return e2e.follow_url(e2e.answered_ticket(queue=queue, agent=agent))


@pytest.fixture
def survey(site, queue, agent):
    _, survey = e2e.resolved_ticket_with_sent_survey(queue=queue, agent=agent)
    return survey


@pytest.fixture
def pages(live_url, follow_link, survey):
    return {
        "support": live_url("tickets:support"),
        "follow": follow_link,
        "survey": e2e.survey_link(survey, stars=2),
    }


PAGES = ["support", "follow", "survey"]


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_or_critical_axe_violations(page, pages, name, axe_violations):
    page.goto(pages[name])
    assert axe_violations(page) == []


def test_support_form_with_errors_has_no_serious_or_critical_axe_violations(page, live_url, site, axe_violations,
                                                                              shot):
    page.goto(live_url("tickets:support"))
    page.get_by_label("Your email").fill("not-an-email")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    assert page.locator(".invalid-feedback, .alert-danger").count() > 0
    assert page.get_by_label("Your email").input_value() == "not-an-email"  # nothing typed is lost
    shot(page, JOURNEY, "support-form-errors")
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_375_pixel_screen(mobile_context, pages, name, shot):
    page = mobile_context().new_page()
    page.goto(pages[name])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    submit = page.locator("main form[method=post] button[type=submit]").last
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    shot(page, JOURNEY, f"{name}-375px")


def test_support_form_works_without_javascript(nojs_context, live_url, site):
    page = nojs_context().new_page()
    page.goto(live_url("tickets:support"))
    page.get_by_label("Your name").fill("Jaan Tamm")
    page.get_by_label("Your email").fill("jaan@example.com")
    page.get_by_label("Subject").fill("Frame missing")
    page.get_by_label("How can we help?").fill("The frame was not in the parcel.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    ticket = Ticket.objects.get(customer__email="jaan@example.com")
    assert ticket.reference in page.locator("main").inner_text()


def test_follow_page_reply_works_without_javascript(nojs_context, follow_link):
    page = nojs_context().new_page()
    page.goto(follow_link)
    page.get_by_label("Your reply").fill("Thanks, it arrived today.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send reply").click()
    assert "Thanks, it arrived today." in page.locator("main").inner_text()
    assert Message.objects.filter(body="Thanks, it arrived today.", author_customer__isnull=False).exists()


def test_survey_works_without_javascript(nojs_context, pages, survey, shot):
    page = nojs_context().new_page()
    page.goto(pages["survey"])
    assert page.locator("input[name=stars][value='2']").is_checked()
    page.locator("textarea[name=follow_up]").fill("The first reply took three days.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    shot(page, JOURNEY, "survey-nojs-thanks")
    rating = Rating.objects.get(survey=survey)
    assert (rating.stars, rating.follow_up) == (2, "The first reply took three days.")


# --- What axe cannot check: where the focus goes, and one accessible name per field ----------------


def _refuse_support_form(page, live_url):
    page.goto(live_url("tickets:support"))
    page.get_by_label("Your name").fill("Mari Maasikas")
    page.get_by_label("Your email").fill("mari@example")  # no dot: refused
    page.get_by_label("Subject").fill("Frame missing")
    page.get_by_label("How can we help?").fill("Hi")  # too short: refused
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()


def test_refused_support_form_moves_the_focus_to_its_error_summary(page, live_url, site, shot):
    from tests.e2e.a11y import focused_element_id

    _refuse_support_form(page, live_url)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'form-errors'")
    summary = page.get_by_role("alert")
    assert "Your email" in summary.inner_text() and "How can we help?" in summary.inner_text()
    assert focused_element_id(page) == "form-errors"
    # Every typed word is still there.
    assert page.get_by_label("Your name").input_value() == "Mari Maasikas"
    assert page.get_by_label("Your email").input_value() == "mari@example"
    assert page.get_by_label("Subject").input_value() == "Frame missing"
    assert page.get_by_label("How can we help?").input_value() == "Hi"
    shot(page, JOURNEY, "support-form-error-summary-focused")


def test_refused_support_form_focuses_its_error_summary_without_javascript(nojs_context, live_url, site):
    from tests.e2e.a11y import focused_element_id

    page = nojs_context().new_page()
    _refuse_support_form(page, live_url)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'form-errors'")
    assert focused_element_id(page) == "form-errors"


def test_error_summary_link_moves_the_focus_to_its_field(page, live_url, site):
    from tests.e2e.a11y import focused_element_id

    _refuse_support_form(page, live_url)
    page.get_by_role("alert").get_by_role("link", name="Your email").click()
    assert focused_element_id(page) == "id_email"


@pytest.mark.parametrize("name", ["support", "follow"])
def test_every_field_has_exactly_one_accessible_name(page, pages, name):
    from tests.e2e.a11y import fields_without_exactly_one_name

    page.goto(pages[name])
    assert page.locator("textarea").count() > 0
    assert fields_without_exactly_one_name(page) == []


def test_refused_support_form_fields_keep_exactly_one_accessible_name(page, live_url, site):
    from tests.e2e.a11y import fields_without_exactly_one_name

    _refuse_support_form(page, live_url)
    assert fields_without_exactly_one_name(page) == []
