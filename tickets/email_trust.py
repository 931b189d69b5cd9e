"""What an inbound email proves: that it answers mail the desk sent, and that its sender is who it says.

Proof of a reply. Every email the desk sends carries a Message-ID signed with SECRET_KEY:
`<dd.DD-1234.r42.k3f9c…@desk.example>`: the ticket's reference, the outgoing row it was built from
(`r42`: the reply email of message 42) and an HMAC of both. It is deterministic per row, so a re-sent
email keeps its id, yet nobody without the key can make one: a reply whose In-Reply-To or References
holds a valid one answers mail about that ticket. A reference typed in a subject proves nothing.

Who sent it. `Authentication-Results` headers are read only from the receiving servers named in
EMAIL_TRUSTED_AUTHSERV_IDS (anyone can write such a header; the receiving MTA adds its own on top and
should remove forged copies), and only the newest of them counts. A dmarc or spf `fail` there holds
the email for review. So does a Sender header naming someone other than From: the desk cannot tell
which of the two wrote it. Several addresses in From are refused outright (`tickets.services.intake`).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from tickets.email_parsing import ParsedEmail
from tickets.models import InboundEmail

_SALT = "tickets.email.message-id"
_SIGNATURE_LENGTH = 20  # base32 digits: 100 bits, short enough to keep the header on one line
_DESK_ID = re.compile(r"^<dd\.(?P<value>[A-Za-z0-9_.:-]+)\.(?P<signature>[a-z2-7]{20})@[^<>\s]+>$")

HOLD = InboundEmail.HoldReason


def desk_domain() -> str:
    """The domain of the desk's Message-IDs: that of DEFAULT_FROM_EMAIL."""
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


@functools.lru_cache(maxsize=8)
def _domain_of(from_email: str) -> str:  # parsed once per setting value, not once per outgoing message
    return parseaddr(from_email)[1].rpartition("@")[2] or "delightdesk.localhost"


def _signature(value: str, secret: str) -> str:
    digest = salted_hmac(_SALT, value, secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii").lower()[:_SIGNATURE_LENGTH]


def desk_message_id(identity: str, *, reference: str = "") -> str:
    """The Message-ID of one outgoing email: the same row always gets the same id, and only the desk
    can make it. `identity` names the outbox row (letters, digits, dashes; no dots), `reference` the
    ticket a reply to it may be threaded onto ("" for mail about no ticket)."""
    value = f"{reference}.{identity}" if reference else identity
    return f"<dd.{value}.{_signature(value, settings.SECRET_KEY)}@{desk_domain()}>"


def _signed_value(message_id: str) -> str | None:
    match = _DESK_ID.match(message_id.strip())
    if match is None:
        return None
    value, signature = match.group("value"), match.group("signature")
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        if constant_time_compare(signature, _signature(value, secret)):
            return value
    return None


def answered_references(message_ids: Iterable[str]) -> list[str]:
    """References of the tickets whose desk email these Message-IDs (In-Reply-To, References) prove
    an answer to, most recent first. Unsigned or forged ids count for nothing."""
    found: list[str] = []
    for message_id in message_ids:
        value = _signed_value(message_id)
        if value and "." in value:
            reference = value.rpartition(".")[0].upper()
            if reference not in found:
                found.append(reference)
    return found


def held_because(parsed: ParsedEmail) -> str:
    """Why this email must be held for review ("" when it need not): authentication failed at a
    trusted receiving server, or a Sender other than From."""
    verdict = trusted_authentication(parsed)
    if verdict is not None:
        if verdict.result("dmarc") == "fail":
            return HOLD.DMARC_FAILED
        if verdict.result("spf") == "fail":
            return HOLD.SPF_FAILED
    if parsed.sender_header and parsed.sender_header.lower() != parsed.sender.lower():
        return HOLD.SENDER_DIFFERS
    return ""


def trusted_authentication(parsed: ParsedEmail):
    """The newest Authentication-Results header written by a trusted server, or None."""
    trusted = {server.strip().lower() for server in getattr(settings, "EMAIL_TRUSTED_AUTHSERV_IDS", ()) if server}
    return next((r for r in parsed.authentication_results if r.authserv_id in trusted), None)
