"""The email message the outbox's kinds build: Django's `EmailMultiAlternatives`, written out faster.

Python's default (compat32) header writer runs every header through `email.header.Header`, even the
ones that need neither folding nor encoding; in the survey benchmark that was a third of the CPU a
worker spends per message (0.45 of 1.25 ms for build, MIME and addresses). `QuickHeaders` writes such a
header (ASCII, one line, within the line limit) as it is, which is exactly what compat32 writes for it
(`tests/outbox/test_messages.py` compares the two), and hands every other header to compat32.

The generator also compiles a regular expression per message to check that its random multipart
boundary is not in the text; a boundary chosen here from 128 random bits is checked with `in`.
"""

from __future__ import annotations

import uuid
from email.policy import Compat32

from django.core.mail import EmailMultiAlternatives


class QuickHeaders(Compat32):
    def _fold(self, name: str, value, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
            and len(name) + len(value) + 2 <= (self.max_line_length or 0)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_HEADERS = QuickHeaders()


class OutboxEmail(EmailMultiAlternatives):
    """An `EmailMultiAlternatives` whose MIME form writes plain headers directly (see the module)."""

    def message(self, *args, **kwargs):
        mime = super().message(*args, **kwargs)
        mime.policy = QUICK_HEADERS  # the generator uses the top part's policy for every part
        if mime.is_multipart():
            boundary = f"=_{uuid.uuid4().hex}"
            if not any(boundary in str(part.get_payload()) for part in mime.walk() if not part.is_multipart()):
                mime.set_boundary(boundary)  # else the generator picks one
        return mime
