"""Attachments: what may be attached, and how it is stored.

A file is accepted only when its extension is on the allow-list AND its first bytes say the same
thing (the sender's Content-Type is never trusted). HTML, SVG, XML and executables are refused
whatever they are called. Images are decoded whole and written anew (`reencoded_image`), so what is
stored is only the picture: a file that merely starts like one is refused, and a web page hidden in
a comment block or after the image's end (an image/HTML polyglot) is left behind. Files are written
through Django's storage API (`Attachment.file`) and only ever served by the permission-checked view
in `tickets.views.attachments`, as a download.
"""

from __future__ import annotations

import io
import os
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tickets.exceptions import InvalidAttachment
from tickets.models import Attachment, Message, Ticket


def max_files() -> int:
    """How many files one submission (a new ticket, a reply, a note) may carry."""
    return settings.ATTACHMENT_MAX_FILES


def max_total_bytes() -> int:
    """The total size of one submission's files (each file is also limited by ATTACHMENT_MAX_BYTES)."""
    return settings.ATTACHMENT_MAX_TOTAL_BYTES

# extension -> (content type we serve it as, the sniffed kinds that agree with it)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "png": ("image/png", frozenset({"png"})),
    "jpg": ("image/jpeg", frozenset({"jpeg"})),
    "jpeg": ("image/jpeg", frozenset({"jpeg"})),
    "gif": ("image/gif", frozenset({"gif"})),
    "webp": ("image/webp", frozenset({"webp"})),
    "txt": ("text/plain; charset=utf-8", frozenset({"text"})),
    "log": ("text/plain; charset=utf-8", frozenset({"text"})),
    "csv": ("text/csv; charset=utf-8", frozenset({"text"})),
    "zip": ("application/zip", frozenset({"zip"})),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({"zip"})),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({"zip"})),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", frozenset({"zip"})),
    "odt": ("application/vnd.oasis.opendocument.text", frozenset({"zip"})),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", frozenset({"zip"})),
    "doc": ("application/msword", frozenset({"ole"})),
    "xls": ("application/vnd.ms-excel", frozenset({"ole"})),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)  # for <input type=file accept=...>

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\xfe\xed\xfa\xce", "executable"),
    (b"\xfe\xed\xfa\xcf", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),
    (b"#!", "executable"),
)
# Markup a browser would render or run, looked for near the start of anything that claims to be text.
_MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"<object",
           b"<embed", b"<img", b"<a ", b"<meta", b"<link", b"<style", b"<div", b"<table")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed `check_file`: safe name, our content type, the bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> str:
    """What the bytes are, by their content: pdf, png, jpeg, gif, webp, zip, ole, executable, markup,
    text or unknown."""
    head = data[:512]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    sample = data[:65536]
    if b"\x00" in sample:
        return "unknown"
    lowered = sample.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if lowered.startswith(b"<") or any(marker in lowered[:4096] for marker in _MARKUP):
        return "markup"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a multi-byte character cut at the sample's end is fine
            return _latin_text_or_unknown(sample)
    return "text"


def _latin_text_or_unknown(sample: bytes) -> str:
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return "text" if controls == 0 else "unknown"


# sniffed kind -> the formats Pillow may find in it (a phone's JPEG is often an MPO: JPEG + preview)
IMAGE_FORMATS = {"png": {"PNG"}, "jpeg": {"JPEG", "MPO"}, "gif": {"GIF"}, "webp": {"WEBP"}}


def reencoded_image(data: bytes, kind: str) -> bytes:
    """The picture of an image file, decoded whole and written anew in its own format: comments,
    metadata (including a photo's location) and anything after the image's end stay behind.
    ValueError when the bytes are not a complete image of that kind, or too large to decode safely."""
    limit = getattr(settings, "ATTACHMENT_MAX_IMAGE_PIXELS", 50_000_000)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # the whole structure: chunk checksums, block lengths
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS[kind] or image.width * image.height > limit:
                raise ValueError(f"{image.format} {image.size}")
            image.load()
            return _written(image, kind)
    except (OSError, SyntaxError, UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        raise ValueError(str(exc)) from exc


# What the encoders need of a decoded image's info to draw it the same; the rest (comments, text
# chunks, EXIF, XMP, colour profiles) is free-form bytes a page could hide in, and stays behind.
_KEPT_INFO = ("duration", "loop", "transparency", "background", "disposal")


def _written(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    frames = getattr(image, "n_frames", 1) > 1
    image.info = {key: value for key, value in image.info.items() if key in _KEPT_INFO}
    if kind == "jpeg":
        image = ImageOps.exif_transpose(image)  # the orientation lives in the metadata left behind
        image.save(out, "JPEG", quality=92, optimize=True)
    elif kind == "png":
        image.save(out, "PNG", optimize=True)
    elif kind == "gif":
        image.save(out, "GIF", save_all=frames)
    else:
        image.save(out, "WEBP", save_all=frames, quality=90)
    return out.getvalue()


def safe_filename(name: str) -> str:
    """A file name without directories, control characters or surprises, at most 120 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    try:
        name = get_valid_filename(name)
    except Exception:  # SuspiciousFileOperation for names that reduce to nothing
        name = ""
    stem, ext = os.path.splitext(name)
    return (stem[: 120 - len(ext)] or "file") + ext.lower()


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def check_file(*, name: str, data: bytes) -> CheckedFile:
    """Accept the file or raise InvalidAttachment with a message for the person who sent it."""
    name = safe_filename(name)
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    if not data:
        raise InvalidAttachment(_("“%(name)s” is empty."), name=name)
    if len(data) > max_bytes:
        raise InvalidAttachment(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s."),
            name=name, size=filesizeformat(len(data)), limit=filesizeformat(max_bytes),
        )
    ext = extension_of(name)
    if ext not in ALLOWED:
        raise InvalidAttachment(
            _("“%(name)s”: files of type “.%(ext)s” cannot be attached. Allowed: %(allowed)s."),
            name=name, ext=ext or "?", allowed=", ".join(sorted(ALLOWED)),
        )
    content_type, agreeing_kinds = ALLOWED[ext]
    kind = sniff(data)
    if kind in ("executable", "markup"):
        raise InvalidAttachment(_("“%(name)s” contains a program or web page and cannot be attached."), name=name)
    if kind not in agreeing_kinds:
        raise InvalidAttachment(_("“%(name)s” is not really a .%(ext)s file."), name=name, ext=ext)
    if kind in IMAGE_FORMATS:
        try:
            data = reencoded_image(data, kind)
        except ValueError:
            raise InvalidAttachment(
                _("“%(name)s” is not a valid image: it may be damaged or incomplete."), name=name
            ) from None
    return CheckedFile(name=name, content_type=content_type, data=data)


def check_upload(upload) -> CheckedFile:
    """`check_file` for an uploaded file (a form's UploadedFile), refusing oversize files before reading."""
    if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidAttachment(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s."),
            name=safe_filename(upload.name), size=filesizeformat(upload.size),
            limit=filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        )
    upload.seek(0)
    data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
    return check_file(name=upload.name, data=data)


def check_total_size(files) -> None:
    """Refuse a submission with too many files, or files that together are too big (InvalidAttachment)."""
    files = list(files)
    if len(files) > max_files():
        raise InvalidAttachment(_("At most %(n)d files can be attached at once."), n=max_files())
    total = sum(file.size for file in files)
    if total > max_total_bytes():
        raise InvalidAttachment(
            _("The files add up to %(size)s; together they may be at most %(limit)s."),
            size=filesizeformat(total), limit=filesizeformat(max_total_bytes()),
        )


def within_limits(files) -> tuple[list[CheckedFile], list[CheckedFile]]:
    """Split checked files into those kept (in order, within the count and total limits) and the rest.

    For email, where a sender cannot be asked to resend: keep what fits, record what did not.
    """
    kept, left_out, total = [], [], 0
    for file in files:
        if len(kept) < max_files() and total + file.size <= max_total_bytes():
            kept.append(file)
            total += file.size
        else:
            left_out.append(file)
    return kept, left_out


def attachment_store(*, ticket: Ticket, file: CheckedFile, message: Message | None = None) -> Attachment:
    """Save a checked file through the storage API and record it. Call inside the service's transaction."""
    attachment = Attachment(
        ticket=ticket, message=message, filename=file.name, content_type=file.content_type, size=file.size
    )
    attachment.file.save(file.name, ContentFile(file.data), save=False)
    attachment.save()
    return attachment


def served_content_type(attachment: Attachment) -> str:
    """The type a download is served as: ours from the extension, never anything a browser renders as a page."""
    ext = extension_of(attachment.filename)
    if ext in ALLOWED:
        return ALLOWED[ext][0]
    return "application/octet-stream"
