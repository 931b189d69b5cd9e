"""A size-bounded copy of an email for the parser: oversized parts cut before `email.parser` sees them.

Python's email parser keeps every line of every part in memory, several times over: a 20 MB text
mail cost the intake 480 MB. The desk keeps at most `MESSAGE_MAX_LENGTH` characters of text and
refuses files over `ATTACHMENT_MAX_BYTES`, so those bytes never need parsing: this module finds the
parts in the raw bytes (boundaries located with a regular expression on the bytes, no copies) and
hands the parser a copy in which a long text part is cut at a line end and an oversized file is
emptied. The full original stays with the email (`InboundEmail.raw`, and an attached .eml).

Pure and lenient: anything it cannot make sense of is left to the parser untouched.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Leaf:
    """One part that is not a multipart: where its body lies in the raw bytes, and its headers."""

    start: int
    end: int
    headers: Message

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def is_text_body(self) -> bool:
        return self.headers.get_content_maintype() == "text" and not self.is_attachment

    @property
    def is_attachment(self) -> bool:
        return self.headers.get_content_disposition() == "attachment" or bool(self.headers.get_filename())

    @property
    def filename(self) -> str:
        return self.headers.get_filename() or ""


@dataclass
class LeanCopy:
    raw: bytes
    text_cut: bool = False
    dropped_files: list[tuple[str, int]] = field(default_factory=list)  # (file name, encoded size)


def leaves(raw: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> Iterator[Leaf]:
    """The leaf parts of the message in raw[start:end], in order. A multipart whose boundary never
    appears is one leaf (the parser reports it as broken)."""
    end = len(raw) if end is None else end
    if raw.startswith(b"\r\n", start) or raw.startswith(b"\n", start):  # a part without headers
        header_end = start
        body_start = _next_line(raw, start)
    else:
        found = _HEADER_END.search(raw, start, end)
        body_start = found.end() if found else end
        header_end = found.start() if found else end
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[start:header_end])
    except Exception:
        return
    boundary = _safe_boundary(headers)
    if headers.get_content_maintype() == "multipart" and boundary and depth < _MAX_DEPTH:
        delimiter = re.compile(rb"^--" + re.escape(boundary) + rb"(--)?[ \t]*\r?$", re.M)
        marks = list(delimiter.finditer(raw, body_start, end))
        if marks:
            for opening, closing in itertools.pairwise(marks):
                if opening.group(1):  # the closing delimiter: what follows is the epilogue
                    break
                yield from leaves(raw, _next_line(raw, opening.end()), _line_start(raw, closing.start()), depth + 1)
            return
    yield Leaf(start=body_start, end=end, headers=headers)


def lean_copy(raw: bytes, *, text_bytes: int, html_bytes: int, file_bytes: int) -> LeanCopy:
    """`raw` with text bodies cut to `text_bytes` (`html_bytes` for HTML) and file parts larger than
    `file_bytes` (encoded) emptied. The same bytes object when nothing needed cutting."""
    try:
        parts = list(leaves(raw))
    except Exception:
        return LeanCopy(raw=raw)
    result = LeanCopy(raw=raw)
    pieces: list[bytes | memoryview] = []
    position = 0
    view = memoryview(raw)
    for leaf in parts:
        keep = _bytes_to_keep(leaf, text_bytes=text_bytes, html_bytes=html_bytes, file_bytes=file_bytes)
        if keep is None:
            continue
        if leaf.is_text_body:
            result.text_cut = True
        else:
            result.dropped_files.append((leaf.filename, leaf.size))
        cut = body_cut_at_line(raw, leaf.start, keep) if keep else leaf.start
        pieces += [view[position:cut], b"\r\n"]
        position = leaf.end
    if not pieces:
        return result
    pieces.append(view[position:])
    result.raw = b"".join(pieces)
    return result


def _bytes_to_keep(leaf: Leaf, *, text_bytes: int, html_bytes: int, file_bytes: int) -> int | None:
    """How much of the leaf's body to keep (cut at a line end), or None to keep it whole."""
    if leaf.is_text_body:
        budget = html_bytes if leaf.headers.get_content_subtype() == "html" else text_bytes
        if leaf.size <= budget:
            return None
        return budget
    if leaf.is_attachment and leaf.size > file_bytes:
        return 0
    return None


def body_cut_at_line(raw: bytes, start: int, keep: int) -> int:
    """The end of the last whole line within raw[start:start + keep]."""
    cut = raw.rfind(b"\n", start, start + keep)
    return cut + 1 if cut > start else start + keep


def _safe_boundary(headers: Message) -> bytes:
    try:
        boundary = headers.get_boundary()
    except Exception:
        return b""
    if not boundary:
        return b""
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        return b""


def _next_line(raw: bytes, position: int) -> int:
    newline = raw.find(b"\n", position)
    return len(raw) if newline < 0 else newline + 1


def _line_start(raw: bytes, position: int) -> int:
    """The end of the part before a delimiter line: the delimiter's own CRLF belongs to it (RFC 2046)."""
    if position >= 2 and raw[position - 2:position] == b"\r\n":
        return position - 2
    if position >= 1 and raw[position - 1:position] == b"\n":
        return position - 1
    return position
