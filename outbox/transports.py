"""How a built message leaves the desk. One transport per `Delivery.transport`.

Email: Django's mail backend (SMTP in production, `.eml` files in development, memory in tests), on one
connection per batch, opened at the first message and reused (`connection.send_messages`); an error
closes it and the next message opens a fresh one. A webhook transport would be one more class here,
`send(request) -> str` returning the id the receiver deduplicates on, and kinds whose `transport` is
"webhook" would build requests instead of emails.
"""

from __future__ import annotations

import contextlib

from django.core.mail import EmailMessage, get_connection


class NotAccepted(RuntimeError):
    """The server took the message without error but reported nothing sent."""


class EmailTransport:
    def __init__(self) -> None:
        self._connection = None

    def send(self, message: EmailMessage) -> str:
        """Hand one message to the mail server; its Message-ID once accepted; raises otherwise."""
        message_id = message.extra_headers.get("Message-ID", "")
        if not message_id:
            raise ValueError("an outgoing email needs its deterministic Message-ID (set by its kind)")
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()  # open now, so that send_messages leaves it open for the next message
            self._connection = connection
        try:
            accepted = self._connection.send_messages([message])
        except Exception:
            self.close()
            raise
        if accepted != 1:
            self.close()
            raise NotAccepted("the mail server accepted no message")
        return message_id

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a broken connection is being discarded anyway
                connection.close()


TRANSPORTS = {"email": EmailTransport}
