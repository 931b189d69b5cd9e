"""The text and files of a parsed message: which part is the body, its text (plain preferred, HTML
turned into text), the files beside it, and a broken multipart read as well as it can be.

Pure, like `tickets.email_parsing` (which callers import from): no database, no settings, and no
function here raises on a person's malformed mail; the header judgements are there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


def readable_body(message: EmailMessage) -> tuple[str, EmailMessage | None, str, EmailMessage | None]:
    """(text, the part it came from, what was broken, the re-read message when the structure was repaired).

    A multipart whose declared boundary never appears is read again with the boundary its parts
    really use; failing that, its body is the text. Either way it is a person's message."""
    text, body_part = _body(message)
    broken = safe(lambda: message.get_content_maintype(), "") == "multipart" and not safe(
        lambda: message.is_multipart(), True)
    if not broken:
        return text, body_part, "", None
    malformed = "broken MIME structure (multipart boundary not found)"
    payload = safe(lambda: message.get_payload(), "")
    body = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    repaired = _reparse_with_real_boundary(body)
    if repaired is not None:
        text, body_part = _body(repaired)
        if text or attachments_of(repaired, body_part):
            return text, body_part, malformed, repaired
    charset = safe(lambda: message.get_content_charset(), None)
    return _normalise_text(decode_bytes(body, charset)), None, malformed, None


_DELIMITER_LINE = re.compile(rb"^--([^\s]{1,70}?)(--)?[ \t]*\r?$", re.M)


def _reparse_with_real_boundary(body: bytes) -> EmailMessage | None:
    counts: dict[bytes, int] = {}
    for match in _DELIMITER_LINE.finditer(body):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    candidates = [token for token, n in counts.items() if n >= 2]
    if not candidates:
        return None
    boundary = max(candidates, key=lambda token: counts[token]).decode("ascii", "replace").replace('"', "")
    head = f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    return safe(lambda: BytesParser(policy=policy.default).parsebytes(head + body), None)


def safe(func, default):
    """`func()`, or `default` when it raises: the email library raises on malformed mail in many places."""
    try:
        return func()
    except Exception:
        return default


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded words to text, in any charset; undecodable bytes become U+FFFD."""
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        parts = []
        try:
            for chunk, charset in decode_header(value):
                if isinstance(chunk, bytes):
                    parts.append(decode_bytes(chunk, charset))
                else:
                    parts.append(chunk)
            return "".join(parts)
        except Exception:
            return value


def clean_line(value: str) -> str:
    return " ".join(value.replace("\x00", "").split())


def decode_bytes(data: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")  # every byte sequence is valid Latin-1: nothing is lost, nothing raises


def _part_text(part: EmailMessage) -> str:
    content = safe(part.get_content, None)  # fails on unknown charsets: then decode by hand
    if isinstance(content, str):
        return content
    payload = safe(lambda: part.get_payload(decode=True), b"") or b""
    return decode_bytes(payload, safe(lambda: part.get_content_charset(), None))


def _body(message: EmailMessage) -> tuple[str, EmailMessage | None]:
    """The message text (plain preferred, HTML converted) and the part it came from."""
    part = safe(lambda: message.get_body(preferencelist=("plain", "html")), None)
    if part is None:
        if safe(lambda: message.is_multipart(), True):
            return "", None
        if safe(lambda: message.get_content_maintype(), "text") != "text":
            return "", None
        part = message
    text = _part_text(part)
    if safe(lambda: part.get_content_subtype(), "plain") == "html":
        text = html_to_text(text)
    return _normalise_text(text), part


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def attachments_of(message: EmailMessage, body_part: EmailMessage | None) -> tuple[ParsedAttachment, ...]:
    found: list[ParsedAttachment] = []
    try:
        parts = list(message.walk())
    except Exception:
        return ()
    for index, part in enumerate(parts, start=1):
        if part is body_part:
            continue
        if safe(lambda p=part: p.is_multipart(), True):
            continue
        disposition = safe(lambda p=part: p.get_content_disposition(), None)
        filename = safe(lambda p=part: p.get_filename(), None)
        content_type = safe(lambda p=part: p.get_content_type(), "application/octet-stream")
        if disposition != "attachment" and not filename:
            continue  # an alternative text part, not a file
        data = safe(lambda p=part: p.get_payload(decode=True), b"") or b""
        name = clean_line(decode_header_value(filename)) if filename else f"attachment-{index}"
        found.append(ParsedAttachment(name=name[:255], content_type=content_type, data=data))
    return tuple(found)


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "head", "title", "template", "noscript"}
    _BLOCK = {"p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
              "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag in self._BLOCK:
            self.out.append("\n\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if href.startswith(("http://", "https://", "mailto:")) else "")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.out.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith("mailto:"):
                self.out.append(f" ({href})")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML mail body: tags, scripts and styles removed, entities decoded.

    The result is text, never markup: it is stored as a message body and always shown escaped.
    """
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(parser.out)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
