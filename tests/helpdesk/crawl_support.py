"""A bounded same-site crawler for the smoke crawl: GET only, one visit per URL, every response recorded.

Used by tests/helpdesk/test_smoke_crawl.py. The crawler follows <a href> links (and same-site redirects)
breadth-first from a start URL, never submits forms, and records for each page: status, content type,
SQL query count, the server-side traceback of a 500, and what the HTML holds (title, h1, POST forms
with or without a CSRF token). Checks are made by the tests on the recorded pages.
"""

from __future__ import annotations

import re
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

SAME_SITE_HOSTS = {"", "testserver"}
HOSTILE_TEXT = '"><img src=x onerror=alert(2)>'
HOSTILE_NUMBER = "99999999999999999999"


class PageParser(HTMLParser):
    """Collects links, the title, headings, POST forms (with or without a CSRF token) and GET forms.

    A GET form becomes a link: its action with the fields' initial values, as a browser submits it
    untouched (empty text fields included: `?q=&status=`, which per-feature tests rarely send).
    `hx_links` are the URLs htmx would fetch (hx-get), requested with the HX-Request header.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.hx_links: list[str] = []
        self.title = ""
        self.lang = ""
        self.h1_count = 0
        self.post_forms: list[dict] = []  # {"action": ..., "csrf": bool}
        self.get_forms: list[dict] = []  # {"action": ..., "fields": [(name, value)], "hx": url or ""}
        self._in_title = False
        self._form: dict | None = None
        self._select: dict | None = None  # {"name", "first", "selected"}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "option":
            self._option(attrs)
            return
        if attrs.get("hx-get") and tag != "form":
            self.hx_links.append(attrs["hx-get"])
        if tag == "html":
            self.lang = attrs.get("lang") or ""
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "method": method, "csrf": False, "fields": [],
                          "hx": attrs.get("hx-get") or "", "last": {}}
            (self.post_forms if method == "post" else self.get_forms).append(self._form)
        elif self._form is None or not attrs.get("name") or "disabled" in attrs:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if attrs["name"] == "csrfmiddlewaretoken":
                self._form["csrf"] = bool(attrs.get("value"))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((attrs["name"], attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select = {"name": attrs["name"], "first": None, "selected": None, "last": None}
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"].append((attrs["name"], ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _option(self, attrs):
        if self._select is None:
            return
        value = attrs.get("value") or ""
        if self._select["first"] is None:
            self._select["first"] = value
        if "selected" in attrs and self._select["selected"] is None:
            self._select["selected"] = value
        self._select["last"] = value

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._form is not None:
                value = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
                self._form["fields"].append((self._select["name"], value or ""))
                self._form["last"][self._select["name"]] = self._select["last"] or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._textarea is not None and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def form_links(self, base: str) -> list[tuple[str, bool, bool]]:
        """(url, with HX-Request, forced) for each GET form: as it stands, then three forced variants.

        The variants put every select on its last option, then a hostile value in every field (markup,
        then a number too big for any integer column): bad input must give a page, never a 500, and
        whatever is echoed back must be escaped. Forced links are visited past the per-kind caps.
        """
        found = []
        for form in self.get_forms:
            action = urljoin(base, form["action"] or base).split("?", 1)[0]
            hx_action = urljoin(base, form["hx"]).split("?", 1)[0] if form["hx"] else ""
            fields = form["fields"]
            variants = [
                (fields, False),
                ([(n, form["last"].get(n, v)) for n, v in fields], True),
                ([(n, HOSTILE_TEXT) for n, _ in fields], True),
                ([(n, HOSTILE_NUMBER) for n, _ in fields], True),
            ]
            for values, forced in variants:
                if not values and forced:
                    continue
                query = urlencode(values)
                found.append((f"{action}?{query}" if query else action, False, forced))
                if hx_action:
                    found.append((f"{hx_action}?{query}" if query else hx_action, True, forced))
        return found


@dataclass
class Page:
    url: str
    status: int
    partial: bool  # requested by htmx (HX-Request): a fragment, not a page
    content_type: str
    queries: int
    referrer: str
    seconds: float = 0.0
    body: str = ""
    location: str = ""
    error: str = ""  # the server-side traceback of a 500
    title: str = ""
    lang: str = ""
    h1_count: int = 0
    post_forms: list[dict] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    @property
    def is_full_page(self) -> bool:
        return self.is_html and not self.partial


@dataclass
class CrawlResult:
    role: str
    pages: list[Page]
    skipped: Counter
    seconds: float = 0.0

    def by_status(self) -> Counter:
        return Counter(p.status for p in self.pages)

    def languages(self) -> Counter:
        return Counter(p.lang for p in self.pages if p.is_full_page)


def normalise(href: str, base: str) -> str | None:
    """The same-site path?query of a link, or None for other sites, fragments, mailto: and the like."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http", "https") or parts.netloc not in SAME_SITE_HOSTS:
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def pattern_key(url: str) -> str:
    """What kind of page a URL is: its route plus the names of its query parameters.

    Capping visits per kind keeps 150 pages from being spent on 150 ticket pages or admin filters.
    """
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
        route = match.route or match.view_name
    except Resolver404:
        route = re.sub(r"\d+", "N", parts.path)
    if parts.path.startswith("/admin/"):
        return f"{route}?{'any' if parts.query else ''}"  # admin filters and sorts: a few are plenty
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return f"{route}?{keys}"


def crawl(
    client,
    *,
    role: str,
    starts: tuple[str, ...] = ("/",),
    max_pages: int = 150,
    per_kind: int = 3,
    per_route: int = 8,
    kind_caps: dict[str, int] | None = None,
    skip: Callable[[str], str | None] = lambda url: None,
) -> CrawlResult:
    """Visit up to `max_pages` same-site URLs breadth-first; `skip(url)` returns a reason to leave one out.

    At most `per_kind` pages of one kind (route + query parameter names; `kind_caps` per route) and
    `per_route` of one route are visited, except start URLs and forced GET-form variants.
    """
    queue: deque[tuple[str, str, bool, bool]] = deque((start, "", False, True) for start in starts)
    seen = {(start, False) for start in starts}
    kinds: Counter = Counter()
    routes: Counter = Counter()  # all query variants of a route together
    skipped: Counter = Counter()
    pages: list[Page] = []
    caps = kind_caps or {}
    started = time.monotonic()
    while queue and len(pages) < max_pages:
        url, referrer, hx, forced = queue.popleft()
        kind = (pattern_key(url), hx)
        route = kind[0].split("?", 1)[0]
        if not forced and kinds[kind] >= caps.get(route, per_kind):
            skipped["kind cap"] += 1
            continue
        if not forced and routes[route] >= max(per_route, caps.get(route, 0)):
            skipped["route cap"] += 1
            continue
        kinds[kind] += 1
        routes[route] += 1
        page = visit(client, url, referrer, **({"HTTP_HX_REQUEST": "true"} if hx else {}))
        pages.append(page)
        targets: list[tuple[str, bool, bool]] = []
        if page.location and not hx:
            targets.append((page.location, False, False))
        if page.is_html and page.status < 500:
            parser = PageParser()
            parser.feed(page.body)
            page.title, page.h1_count, page.post_forms = parser.title.strip(), parser.h1_count, parser.post_forms
            page.lang = parser.lang
            targets.extend((link, False, False) for link in parser.links)
            targets.extend((link, True, False) for link in parser.hx_links)
            targets.extend(parser.form_links(url))
        for href, target_hx, target_forced in targets:
            target = normalise(href, url)
            if target is None or (target, target_hx) in seen:
                continue
            seen.add((target, target_hx))
            reason = skip(target)
            if reason:
                skipped[reason] += 1
                continue
            queue.append((target, url, target_hx, target_forced))
    return CrawlResult(role=role, pages=pages, skipped=skipped, seconds=time.monotonic() - started)


def visit(client, url: str, referrer: str = "", **extra) -> Page:
    """GET one URL without following redirects; a 500's traceback is kept, never raised."""
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    seconds = time.monotonic() - started
    content_type = response.get("Content-Type", "")
    streaming = getattr(response, "streaming", False)
    body = ""
    if not streaming and (content_type.startswith("text/") or "json" in content_type):
        body = response.content.decode(response.charset or "utf-8", errors="replace")
    error = ""
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        error = "".join(traceback.format_exception(*exc_info))
    return Page(
        url=url,
        status=response.status_code,
        partial=bool(extra.get("HTTP_HX_REQUEST")),
        seconds=seconds,
        content_type=content_type,
        queries=len(queries.captured_queries),
        referrer=referrer,
        body=body,
        location=response.get("Location", "") if 300 <= response.status_code < 400 else "",
        error=error,
    )


def describe(page: Page) -> str:
    text = f"{page.status} {page.url}{' (htmx)' if page.partial else ''} (linked from {page.referrer or 'start'})"
    if page.error:
        text += "\n" + page.error
    return text
