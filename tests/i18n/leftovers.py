"""English left on a translated page or email: the checker the language journeys use.

It knows what English looks like from the catalogues themselves: every msgid (and msgid_plural) of the
desk's catalogue and of Django's (core and auth: form errors, password pages) whose translation into the
reader's language differs from it. A msgid is cut at its placeholders (`%(name)s`, `%s`, `%d`) and tags into
the fixed pieces of text a reader would meet; a piece counts when it is a phrase (two words or more) or one long
word (LONG_WORD letters or more): short single words ("Open", "Name") also occur in other languages and in
people's data. A piece that the translation contains too (a brand, "CSAT") is no leftover.

    english_left(text, "et", allowed=("Customer care",))  ->  ["Send my rating", ...]

`allowed`: data the team or the customer typed (queue names, a subject) that may happen to be English.
`page_text(html)` and `mail_text(message)` give what a reader meets in an HTML page (text, the attributes a
screen reader or a tooltip says, JSON data a script shows, the title) and in an email (subject, text, HTML).
"""

from __future__ import annotations

import functools
import re
from email.message import EmailMessage as StdlibEmail
from html.parser import HTMLParser
from pathlib import Path

import django
import polib

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = (
    ROOT / "locale" / "{language}" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "conf" / "locale" / "{language}" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "contrib" / "auth" / "locale" / "{language}" / "LC_MESSAGES" / "django.po",
)
LONG_WORD = 10
PLACEHOLDER_OR_TAG = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|<[^>]*>|\{[^}]*\}|\s[-\u2014\u2013\u00b7:]\s")
LINK = re.compile(r"(?:https?://|/)[^\s<>\"']*/[^\s<>\"']*")
WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")


def _pieces(msgid: str) -> list[str]:
    """The fixed text of a msgid a reader would meet, cut at placeholders, tags and separators."""
    pieces = []
    for piece in PLACEHOLDER_OR_TAG.split(msgid.replace("&nbsp;", " ")):
        piece = " ".join(piece.split()).strip(" .,;:!?()\"'\u201c\u201d\u00ab\u00bb\u201e\u2026\u2014\u2013\u00b7-")
        words = WORD.findall(piece)
        if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= LONG_WORD and words[0] == piece):
            pieces.append(piece)
    return pieces


def _translated_entries(language: str):
    for template in CATALOGUES:
        path = Path(str(template).format(language=language))
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            if not any(translations):
                continue
            yield entry, " ".join(translations)


@functools.cache
def english_pieces(language: str) -> tuple[tuple[str, re.Pattern], ...]:
    """Every piece of English the catalogues translate differently into `language`, with its pattern."""
    found: dict[str, re.Pattern] = {}
    for entry, translated in _translated_entries(language):
        folded = " ".join(translated.split()).casefold()
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in _pieces(msgid):
                if piece.casefold() in folded or piece in found:
                    continue
                found[piece] = re.compile(r"(?<![\w])" + re.escape(piece).replace(r"\ ", r"\s+") + r"(?![\w])",
                                          re.IGNORECASE)
    # Longer pieces first: a sentence is reported once, not once per phrase inside it.
    return tuple(sorted(found.items(), key=lambda item: -len(item[0])))


def english_left(text: str, language: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English pieces found in `text` (a page or email meant for a `language` reader)."""
    if language == "en":
        return []
    for data in sorted(filter(None, allowed), key=len, reverse=True):  # longest first; never "" (every gap)
        text = text.replace(data, " ")
    text = LINK.sub(" ", text)  # a link's path (/escalations/1/) is no sentence
    text = " ".join(text.split())
    haystack = text.casefold()
    left = []
    for piece, pattern in english_pieces(language):
        if piece.casefold() in haystack and pattern.search(text):
            left.append(piece)
            text = pattern.sub(" ", text)
            haystack = text.casefold()
    return left


def in_context(piece: str, text: str, width: int = 40) -> str:
    """The piece as it appears in the text, with a few words either side (for a failure message)."""
    text = " ".join(text.split())
    match = re.search(re.escape(piece), text, re.IGNORECASE)
    if match is None:
        return piece
    return f"…{text[max(0, match.start() - width):match.end() + width]}…"


class _Reader(HTMLParser):
    """What a reader meets in a page: its text (not scripts or styles), the attributes read out or shown on
    hover, and the JSON data a script puts on the page."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.parts.extend(attributes[name] for name in ATTRIBUTES if attributes.get(name))
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])
        if tag in self.SKIPPED and not (tag == "script" and attributes.get("type") == "application/json"):
            self._skipping.append(tag)

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.parts)


def mail_text(message) -> str:
    """Subject, plain text and HTML (as a reader meets it) of a Django or a standard-library email."""
    if isinstance(message, StdlibEmail):
        parts = [str(message["Subject"] or "")]
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                parts.append(part.get_content())
            elif part.get_content_type() == "text/html":
                parts.append(page_text(part.get_content()))
        return "\n".join(parts)
    parts = [message.subject, message.body]
    parts += [page_text(content) for content, mimetype in getattr(message, "alternatives", [])
              if mimetype == "text/html"]
    return "\n".join(parts)
