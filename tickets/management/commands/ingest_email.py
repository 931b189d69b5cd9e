"""Read one RFC 822 message on standard input and hand it to the intake service.

For an MTA: `| python manage.py ingest_email`. Exit status: 0 when the email became a ticket or a
reply (or was already received), 65 (EX_DATAERR) when it was rejected (the reason is printed on one
line and stored for admins), 75 (EX_TEMPFAIL) when it failed on the desk's side (database down, no
queue configured): the MTA delivers it again later and the retry is processed afresh.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

EX_DATAERR = 65
EX_TEMPFAIL = 75
MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Ingest one email (RFC 822 bytes on standard input) as a new ticket or a reply."
    stealth_options = ("stdin",)  # call_command(..., stdin=BytesIO(raw)) in tests

    def handle(self, *args, **options):
        from tickets.services.email_intake import ticket_create_from_email

        stream = options.get("stdin") or sys.stdin.buffer
        raw = getattr(stream, "buffer", stream).read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError(f"rejected: message larger than {MAX_BYTES} bytes", returncode=EX_DATAERR)
        try:
            result = ticket_create_from_email(raw=raw)
        except Exception as exc:  # the database is down or similar: tell the MTA to try again later
            raise CommandError(f"temporary failure: {type(exc).__name__}: {exc}".replace("\n", " "),
                               returncode=EX_TEMPFAIL) from exc
        if result.rejected and not result.duplicate:
            code = EX_TEMPFAIL if result.temporary else EX_DATAERR
            raise CommandError(result.summary.replace("\n", " "), returncode=code)
        self.stdout.write(result.summary)
