"""HTTP for the shipped-desk tests: cookies, CSRF and redirects over plain HTTP to 127.0.0.1, optionally
as the TLS proxy presents requests in production; and the static files a page makes a browser fetch."""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class DeskClient:
    """Cookies, CSRF and redirects over plain HTTP to 127.0.0.1, optionally presenting itself as the TLS
    proxy does in production (a public Host, X-Forwarded-Proto: https, Secure cookies sent anyway)."""

    def __init__(self, base_url: str, *, host: str | None = None, https_proxy: bool = False):
        self.base = urlsplit(base_url)
        self.host = host or self.base.netloc
        self.https_proxy = https_proxy
        self.cookies: dict[str, str] = {}
        self.extra_headers: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"{'https' if self.https_proxy else 'http'}://{self.host}"

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
                follow: bool = True) -> Response:
        for _hop in range(10):
            connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=60)
            sent = {"Host": self.host, **self.extra_headers, **(headers or {})}
            if self.https_proxy:
                sent["X-Forwarded-Proto"] = "https"
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=sent)
            reply = connection.getresponse()
            data = reply.read()
            connection.close()
            for header in reply.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            location = reply.headers.get("Location")
            if not (follow and reply.status in (301, 302, 303, 307, 308) and location):
                return Response(reply.status, reply.headers, data, path)
            target = urlsplit(urljoin(f"{self.origin}{path}", location))
            if target.netloc != self.host:
                return Response(reply.status, reply.headers, data, path)
            path = target.path + (f"?{target.query}" if target.query else "")
            if reply.status in (301, 302, 303):
                method, body, headers = "GET", None, {}
        raise AssertionError(f"too many redirects from {path}")

    def get(self, path_or_url: str, **kwargs) -> Response:
        parts = urlsplit(path_or_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.request("GET", path, **kwargs)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1)

    def post_form(self, path: str, data: dict, *, form_page: str | None = None) -> Response:
        token = self.csrf_token(form_page or path)
        body = urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                   "Referer": f"{self.origin}{form_page or path}"}
        return self.request("POST", path, body=body, headers=headers)

    def log_in(self, username: str, password: str) -> Response:
        reply = self.post_form("/accounts/login/", {"username": username, "password": password})
        assert "sessionid" in self.cookies, f"{username} could not log in ({reply.status}): {reply.text[:500]}"
        return reply


class StaticReferences(HTMLParser):
    """The same-site files a page makes the browser fetch: stylesheets, icons, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("href") and {"stylesheet", "icon"} & set(
            (attributes.get("rel") or "").split()
        ):
            self.urls.add(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.urls.add(attributes["src"])

    @classmethod
    def of(cls, html: str) -> set[str]:
        parser = cls()
        parser.feed(html)
        return {url for url in parser.urls if not urlsplit(url).netloc and not url.startswith("data:")}


CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def css_references(css: str) -> set[str]:
    return {url for url in CSS_URL.findall(css) if not url.startswith(("data:", "#", "http:", "https:"))}
