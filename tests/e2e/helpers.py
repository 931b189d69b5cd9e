"""Small helpers shared by the journeys: waiting for the worker's mail, reading links out of it."""

import re
import time
from collections.abc import Callable

from django.core import mail

URL = re.compile(r"https?://[^\s<>\"']+")


def wait_for(predicate: Callable, *, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (the worker runs in another thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def wait_for_mail(*, to: str, subject_contains: str = "", header: str = "", timeout: float = 30.0):
    """The first email in the test outbox sent to `to` (whose subject contains the text, and which carries
    the header, if given)."""

    def find():
        for message in list(mail.outbox):
            if to in message.to and subject_contains in message.subject and (
                not header or header in message.extra_headers
            ):
                return message
        return None

    return wait_for(find, timeout=timeout, what=f"an email to {to} ({subject_contains!r})")


def text_of(message) -> str:
    return message.body


def links_in(message, path_fragment: str = "") -> list[str]:
    return [u.rstrip(".,;)") for u in URL.findall(text_of(message)) if path_fragment in u]
