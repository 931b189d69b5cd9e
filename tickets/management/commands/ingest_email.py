"""Read one RFC 822 message on standard input and hand it to the intake service.

For an MTA: `| python manage.py ingest_email`. Exit status: 0 when the email became a ticket or a
reply (or was already received), 65 (EX_DATAERR) when it was rejected (the reason is printed on one
line and stored for admins; a message over EMAIL_MAX_BYTES is stored with its headers only), 75
(EX_TEMPFAIL) when it failed on the desk's side (database down, storage full): the MTA delivers it
again later and the retry is processed afresh.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

EX_DATAERR = 65
EX_TEMPFAIL = 75
HEAD_BYTES = 64 * 1024  # of a message too large to take in: its headers are kept, for admins


class Command(BaseCommand):
    help = "Ingest one email (RFC 822 bytes on standard input) as a new ticket or a reply."
    stealth_options = ("stdin",)  # call_command(..., stdin=BytesIO(raw)) in tests

    def handle(self, *args, **options):
        from django.conf import settings

        from tickets.services.email_intake import email_record_oversized, ticket_create_from_email

        stream = options.get("stdin") or sys.stdin.buffer
        stream = getattr(stream, "buffer", stream)
        limit = settings.EMAIL_MAX_BYTES
        raw = stream.read(limit + 1)  # never more than the limit in memory
        try:
            if len(raw) > limit:
                result = email_record_oversized(head=_headers_of(raw), size=len(raw) + _drain(stream))
            else:
                result = ticket_create_from_email(raw=raw)
        except Exception as exc:  # the database is down or similar: tell the MTA to try again later
            raise CommandError(f"temporary failure: {type(exc).__name__}: {exc}".replace("\n", " "),
                               returncode=EX_TEMPFAIL) from exc
        if result.rejected and not result.duplicate:
            code = EX_TEMPFAIL if result.temporary else EX_DATAERR
            raise CommandError(result.summary.replace("\n", " "), returncode=code)
        self.stdout.write(result.summary)


def _headers_of(raw: bytes) -> bytes:
    head = raw[:HEAD_BYTES]
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = head.find(separator)
        if end >= 0:
            return head[: end + len(separator)]
    return head


def _drain(stream) -> int:
    """Read the rest of standard input (the MTA expects it read), keeping only its length."""
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
    return size
