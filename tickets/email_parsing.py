"""Parse one RFC 822 message into what the desk needs: a pure function from bytes to a ParsedEmail.

No database, no settings, no network: `parse_email(raw)` never raises, whatever the bytes are. What
the desk then does with the result (new ticket, reply, rejection) is `tickets.services.intake`.

Memory stays bounded by the limits passed in: the parser sees a copy of the message whose long text
parts are cut and whose oversized files are emptied (`tickets.email_mime`); the text is cut to
`text_limit` characters. A broken MIME structure is read as well as it can be (a person wrote it).

This module judges the headers (thread, sender, automatic replies, bounces, authentication) and the
reply text; finding the body's text and files is `tickets.email_body`. Callers import from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from tickets.email_body import (
    ParsedAttachment,
    attachments_of,
    clean_line,
    decode_bytes,
    decode_header_value,
    html_to_text,
    readable_body,
    safe,
)
from tickets.email_mime import LeanCopy, lean_copy

__all__ = [
    "DESK_HEADER",
    "REPLY_MARKER",
    "AuthenticationResult",
    "ParsedAttachment",
    "ParsedEmail",
    "html_to_text",
    "parse_authentication_results",
    "parse_email",
    "strip_quoted_reply",
]

# Our notifications carry this line, in the customer's language (`services.notifications.reply_marker()`);
# whatever the customer's mail program quotes below it is history. It is recognised in any language by its
# delimiters (the English one is kept as the line of mail sent before it was translated).
REPLY_MARKER = "##- Please type your reply above this line -##"
_REPLY_MARKER_ANY_LANGUAGE = re.compile(r"##- [^\n]{1,200}? -##")
# Our own outgoing mail carries this header, so a copy of it coming back is recognised as a loop.
DESK_HEADER = "X-Delight-Desk"

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_OUTLOOK_SEPARATOR = re.compile(r"^(?:-{3,} ?Original Message ?-{3,}|_{20,})\s*$", re.M | re.I)
# Outlook quotes with a header block instead of '>' lines: "From: ...", then "Sent: ..." (or their translations).
_OUTLOOK_HEADER_BLOCK = re.compile(
    r"^\*?(?:From|Van|De|Von|Lähettäjä|Saatja)\s*:.*\n\*?(?:Sent|Date|Verzonden|Datum|Enviado|Fecha|Gesendet|"
    r"Lähetetty|Päivämäärä|Saadetud|Kuupäev)\s*:", re.M | re.I)
_QUOTE_INTRO_END = re.compile(r"(wrote|schrieb|kirjutas|schreef|escribió|kirjoitti)\s*:\s*$", re.I)
_QUOTE_INTRO_START = re.compile(r"^\s*(?:On|Am|Op|El|Le|Il|Kell|\d)\b", re.I)
_AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply", "auto-reply"}
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


@dataclass(frozen=True)
class AuthenticationResult:
    """One Authentication-Results header (RFC 8601): who checked, and each method's result."""

    authserv_id: str
    results: tuple[tuple[str, str], ...] = ()

    def result(self, method: str) -> str:
        return next((value for name, value in self.results if name == method), "")


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    attachments: tuple[ParsedAttachment, ...] = ()
    language: str = ""
    is_auto_submitted: bool = False
    is_bounce: bool = False
    from_desk: bool = False
    malformed: str = ""  # what is broken in the message's structure, or "" when nothing is
    defects: tuple[str, ...] = field(default=())
    from_addresses: int = 0  # how many addresses the From header names (more than one: ambiguous)
    sender_header: str = ""  # the address of a Sender header, "" without one
    authentication_results: tuple[AuthenticationResult, ...] = ()  # in header order: the newest first
    text_truncated: bool = False  # the text was cut to the limit (or a long part cut before parsing)
    oversized_files: tuple[tuple[str, int], ...] = ()  # files left out before parsing: (name, encoded size)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this email answers, most recent first (In-Reply-To, then References backwards)."""
        seen: list[str] = []
        for message_id in (*self.in_reply_to, *reversed(self.references)):
            if message_id not in seen:
                seen.append(message_id)
        return tuple(seen)

    @property
    def reply_text(self) -> str:
        """The new text of a reply: cut at our marker line and at a trailing quoted block."""
        return strip_quoted_reply(self.text)


# Bytes of a text part worth parsing per character kept (quoted-printable UTF-8 can take 9), and for
# HTML, whose markup outweighs its text.
_TEXT_BYTES_PER_CHAR = 12
_HTML_BYTES_PER_CHAR = 40


def parse_email(raw: bytes, *, text_limit: int | None = None, file_limit: int | None = None) -> ParsedEmail:
    """Everything the desk needs from one message. Never raises: problems end up in `malformed`.

    `text_limit`: the most characters of text kept; `file_limit`: files larger than this (encoded)
    are left out unparsed and listed in `oversized_files`. None: no limit.
    """
    if not raw or raw.isspace():
        return ParsedEmail(malformed="empty message")
    lean = _lean(raw, text_limit, file_limit)
    try:
        message = BytesParser(policy=policy.default).parsebytes(lean.raw)
    except Exception as exc:  # the parser is lenient; this is the last line of defence
        return ParsedEmail(malformed=f"unparseable message ({type(exc).__name__})")
    headers = _raw_headers(message)
    if not headers:
        return ParsedEmail(malformed="no headers", text=_safe_text(raw))
    sender_name, sender, from_count = _sender(headers.get("from", ""))
    content_type = safe(lambda: message.get_content_type(), "text/plain")
    text, body_part, malformed, recovered = readable_body(message)
    attachments = attachments_of(recovered or message, body_part)
    text, cut = _within(text, text_limit)
    defects = tuple(sorted({type(d).__name__ for d in safe(lambda: message.defects, [])}))
    return ParsedEmail(
        message_id=_first_id(headers.get("message-id", "")),
        in_reply_to=tuple(_MESSAGE_ID.findall(headers.get("in-reply-to", ""))),
        references=tuple(_MESSAGE_ID.findall(headers.get("references", ""))),
        sender=sender,
        sender_name=sender_name,
        subject=clean_line(headers.get("subject", "")),
        text=text,
        attachments=attachments,
        language=_language(headers.get("content-language", "")),
        is_auto_submitted=_is_auto_submitted(headers),
        is_bounce=_is_bounce(content_type, message, sender, headers),
        from_desk=DESK_HEADER.lower() in headers,
        malformed=malformed,
        defects=defects,
        from_addresses=from_count,
        sender_header=_sender(headers.get("sender", ""))[1],
        authentication_results=tuple(
            result for value in _all_values(message, "authentication-results")
            if (result := parse_authentication_results(value))
        ),
        text_truncated=cut or lean.text_cut,
        oversized_files=tuple(lean.dropped_files),
    )


def _lean(raw: bytes, text_limit: int | None, file_limit: int | None):
    if text_limit is None and file_limit is None:
        return LeanCopy(raw=raw)
    huge = len(raw) + 1
    return lean_copy(
        raw,
        text_bytes=text_limit * _TEXT_BYTES_PER_CHAR if text_limit is not None else huge,
        html_bytes=text_limit * _HTML_BYTES_PER_CHAR if text_limit is not None else huge,
        file_bytes=file_limit if file_limit is not None else huge,
    )


def _within(text: str, limit: int | None) -> tuple[str, bool]:
    """The text cut to `limit` characters (an ellipsis marks the cut), and whether it was cut."""
    if limit is None or len(text) <= limit:
        return text, False
    return text[: max(0, limit - 1)].rstrip() + "\u2026", True


def _raw_headers(message: EmailMessage) -> dict[str, str]:
    """Headers as decoded text, read without the structured header parsers (which can raise)."""
    headers: dict[str, str] = {}
    try:
        items = message.raw_items()
    except Exception:
        return headers
    for name, value in items:
        key = str(name).strip().lower()
        if key and key not in headers:
            raw_value = str(value)
            # Headers carrying 8-bit bytes come back with surrogates: recover them as UTF-8 or Latin-1.
            if any("\udc80" <= ch <= "\udcff" for ch in raw_value):
                raw_value = decode_bytes(raw_value.encode("utf-8", "surrogateescape"), None)
            headers[key] = decode_header_value(re.sub(r"\r?\n[ \t]+", " ", raw_value))
    return headers


def _first_id(value: str) -> str:
    found = _MESSAGE_ID.search(value)
    if found:
        return found.group(0)
    value = clean_line(value)
    return f"<{value}>" if value and " " not in value else ""


def _sender(value: str) -> tuple[str, str, int]:
    """(display name, address, how many addresses) of an address header; the address is "" when no
    usable one is found."""
    try:
        pairs = [(name, address) for name, address in getaddresses([value]) if address.strip()]
    except Exception:
        return "", "", 0
    for name, address in pairs:
        address = address.strip().strip("<>")
        local, _, domain = address.rpartition("@")
        if local and domain and "." in domain and " " not in address and len(address) <= 254:
            return clean_line(name)[:200], address, len(pairs)
    return "", "", len(pairs)


def _all_values(message: EmailMessage, name: str) -> list[str]:
    """Every value of a header that may appear several times, in order (the newest trace header first)."""
    try:
        return [" ".join(str(value).split()) for key, value in message.raw_items() if str(key).lower() == name]
    except Exception:
        return []


_COMMENT = re.compile(r"\([^()]*\)")
_METHOD_RESULT = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*([A-Za-z]+)")


def parse_authentication_results(value: str) -> AuthenticationResult | None:
    """`mx.example.com; spf=pass smtp.mailfrom=a.example; dmarc=fail (p=reject) header.from=a.example`."""
    for _ in range(3):  # comments may nest a little
        value = _COMMENT.sub(" ", value)
    head, _, rest = value.partition(";")
    words = head.split()
    if not words:
        return None
    results = []
    for clause in rest.split(";"):
        found = _METHOD_RESULT.match(clause)
        if found:
            results.append((found.group(1).lower(), found.group(2).lower()))
    return AuthenticationResult(authserv_id=words[0].lower(), results=tuple(results))


def _language(value: str) -> str:
    code = value.split(",")[0].strip().lower()
    return code.split("-")[0][:10] if code else ""


def _is_auto_submitted(headers: dict[str, str]) -> bool:
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if headers.get("precedence", "").strip().lower() in _AUTO_PRECEDENCE:
        return True
    return any(name in headers for name in ("x-autoreply", "x-autorespond", "x-autoresponder"))


def _is_bounce(content_type: str, message: EmailMessage, sender: str, headers: dict[str, str]) -> bool:
    if content_type == "multipart/report":
        return True
    local = sender.rpartition("@")[0].lower()
    if local in _BOUNCE_SENDERS:
        return True
    if headers.get("return-path", "").strip() == "<>":
        return True
    return "x-failed-recipients" in headers


def _safe_text(raw: bytes) -> str:
    return decode_bytes(raw[:100_000], None)


def strip_quoted_reply(text: str) -> str:
    """Drop what a mail program quoted under the reply: our marker line onwards, then a trailing
    block of '>' lines with its "On ... wrote:" introduction."""
    text = _REPLY_MARKER_ANY_LANGUAGE.split(text, 1)[0]
    text = _OUTLOOK_SEPARATOR.split(text, 1)[0]
    text = _OUTLOOK_HEADER_BLOCK.split(text, 1)[0]
    lines = text.rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    if lines and _QUOTE_INTRO_END.search(lines[-1]):
        last = lines.pop()
        # Gmail wraps a long "On <date>, <name> <\naddress> wrote:" over two lines.
        if not _QUOTE_INTRO_START.match(last) and lines and _QUOTE_INTRO_START.match(lines[-1]):
            lines.pop()
    result = "\n".join(lines).strip()
    return result or text.strip()


