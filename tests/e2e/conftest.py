"""Browser journeys: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API
against pytest-django's live server, with a real Celery worker on the configured broker.

Every test under tests/e2e/ is marked `browser`: without Chromium it skips with a one-line reason
locally and fails under CI (the same rule as the root conftest's postgres/redis markers).

Helpers (fixtures):
- `browser`: one Chromium for the whole session.
- `new_context(**options)`: a fresh browser context (its own cookies), closed after the test; English
  Accept-Language unless `locale=` says otherwise. `mobile_context()` is 375 px wide, `nojs_context()`
  has JavaScript disabled.
- `shot(page, journey, step)`: a full-page screenshot at test-artifacts/<journey>/<step>.png.
- `axe_violations(page)`: axe-core's serious and critical violations of the page as it is now.
- `login(page, user)`: log in through the login form (password "demo", as tests.factories sets it).
- `live_url(path)`: the live server's absolute URL for a path or a URL name.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; Django's ORM would otherwise refuse to
# run there ("You cannot call this from an async context"). The ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "axe.min.js"
ARTIFACTS = E2E_DIR.parent.parent / "test-artifacts"
IN_CI = bool(os.environ.get("CI"))
DEFAULT_TIMEOUT_MS = 20_000
PASSWORD = "demo"


def _skip_or_fail(reason: str) -> None:
    """The root conftest's rule, for the session-scoped browser: skip locally, fail under CI."""
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_missing_reason() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)
            # The live server needs committed data: a transactional database, flushed after each test.
            # The role groups the migrations wrote are gone after a flush: services create them on
            # demand (accounts.services), so no serialized rollback is needed (it would collide
            # with the content types that post_migrate recreates after an earlier flush).
            item.add_marker(pytest.mark.django_db(transaction=True))


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser"):
        reason = chromium_missing_reason()
        if reason:
            _skip_or_fail(reason)


@pytest.fixture(scope="session")
def _playwright():
    reason = chromium_missing_reason()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser) -> Callable:
    """Factory of browser contexts; each one is closed when the test ends.

    The Content-Security-Policy stays in force (no bypass), so a page that breaks it shows it here.
    """
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def mobile_context(new_context) -> Callable:
    """A 375-pixel-wide phone screen (iPhone SE/mini class), touch enabled."""

    def make(**options):
        options.setdefault("viewport", {"width": 375, "height": 812})
        options.setdefault("is_mobile", True)
        options.setdefault("has_touch", True)
        options.setdefault("device_scale_factor", 2)
        return new_context(**options)

    return make


@pytest.fixture
def nojs_context(new_context) -> Callable:
    def make(**options):
        options["java_script_enabled"] = False
        return new_context(**options)

    return make


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop context: the default for a journey's single actor."""
    return new_context().new_page()


def _artifact_path(journey: str, step: str) -> Path:
    directory = ARTIFACTS / journey
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{step}.png"


def take_screenshot(page, journey: str, step: str) -> Path:
    path = _artifact_path(journey, step)
    # One image pixel per CSS pixel: a phone context's device scale of 2 would quadruple the pixels to encode.
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


@pytest.fixture
def shot() -> Callable:
    """shot(page, "customer", "01-form") -> test-artifacts/customer/01-form.png"""
    return take_screenshot


def axe_serious_violations(page) -> list[dict]:
    """Run axe-core on the page; return serious and critical violations as small dicts.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    govern (a <script> tag with axe's source inline would be refused by `script-src 'self'`).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_violations() -> Callable:
    return axe_serious_violations


@pytest.fixture
def live_url(live_server) -> Callable:
    from django.urls import NoReverseMatch, reverse

    def url(path_or_name: str, *args, **kwargs) -> str:
        if path_or_name.startswith("/"):
            return live_server.url + path_or_name
        try:
            return live_server.url + reverse(path_or_name, args=args, kwargs=kwargs)
        except NoReverseMatch:
            return live_server.url + "/" + path_or_name

    return url


def login_as(page, live_url, user, password: str = PASSWORD) -> None:
    page.goto(live_url("login"))
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")


@pytest.fixture
def login(live_url) -> Callable:
    def do(page, user, password: str = PASSWORD):
        login_as(page, live_url, user, password)

    return do


class ConsoleLog:
    """What a page reported: JavaScript errors and failed loads (`errors`), and Content-Security-Policy
    violations (`csp`), kept apart so a journey can insist on the first and a dedicated test on the second."""

    def __init__(self):
        self.errors: list[str] = []
        self.csp: list[str] = []

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        text = f"{msg.text} ({url})" if url else msg.text
        (self.csp if "Content Security Policy" in msg.text else self.errors).append(text)

    def on_page_error(self, exc) -> None:
        self.errors.append(f"uncaught: {exc}")


@pytest.fixture
def console_errors() -> Callable:
    """attach(page) -> ConsoleLog, filled while the page runs."""

    def attach(page) -> ConsoleLog:
        log = ConsoleLog()
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        return log

    return attach
