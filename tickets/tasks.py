"""Celery tasks of the tickets app. Each takes ids, loads, calls one service, is idempotent. A row that
no longer exists is logged and skipped. The notification emails are sent by the outbox's tasks
(`outbox.tasks`); the three tasks below only keep their names for messages queued before the upgrade
and for callers of the old names, and send the notification now through the outbox."""

import imaplib
import logging
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from helpdesk import phrases
from helpdesk.errors import DomainError
from tickets.models import NotificationLog, Ticket
from tickets.services import notifications as notify
from tickets.services import ticket_transition
from tickets.services.email_intake import email_record_oversized, mailbox_process

logger = logging.getLogger(__name__)


@shared_task(name="tickets.send_ticket_confirmation", acks_late=True)
def send_ticket_confirmation(ticket_id: int) -> bool:
    return notify.notification_send(kind=NotificationLog.Kind.CONFIRMATION, ticket_id=ticket_id)


@shared_task(name="tickets.notify_customer_of_reply", acks_late=True)
def notify_customer_of_reply(message_id: int) -> bool:
    return notify.notification_send(kind=NotificationLog.Kind.REPLY_TO_CUSTOMER, message_id=message_id)


@shared_task(name="tickets.notify_assignee_of_customer_reply", acks_late=True)
def notify_assignee_of_customer_reply(message_id: int) -> bool:
    return notify.notification_send(kind=NotificationLog.Kind.CUSTOMER_REPLIED, message_id=message_id)


def resolved_tickets_due_for_closing(now=None):
    cutoff = (now or timezone.now()) - timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS)
    return Ticket.objects.filter(status=Ticket.Status.RESOLVED, resolved_at__lte=cutoff).order_by("resolved_at")


@shared_task(name="tickets.auto_close_resolved")
def auto_close_resolved(limit: int = 1000) -> int:
    """Close tickets resolved more than TICKET_AUTO_CLOSE_DAYS ago, one transition each (actor=None)."""
    closed = 0
    for ticket in resolved_tickets_due_for_closing()[:limit]:
        try:
            ticket_transition(ticket=ticket, to_status=Ticket.Status.CLOSED, actor=None,
                              reason_phrase=phrases.phrase("tickets.reason.closed_automatically"))
        except DomainError as exc:  # reopened or changed since it was read: leave it
            logger.info("auto-close skipped %s: %s", ticket.reference, exc.detail)
            continue
        closed += 1
    return closed


def _imap_settings() -> dict | None:
    url = getattr(settings, "IMAP_URL", "") or ""
    if not url:
        return None
    parts = urlsplit(url)
    return {
        "ssl": parts.scheme == "imaps",
        "host": parts.hostname or "localhost",
        "port": parts.port or (993 if parts.scheme == "imaps" else 143),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "mailbox": unquote(parts.path.lstrip("/")) or "INBOX",
    }


@shared_task(name="tickets.poll_imap", autoretry_for=(OSError, imaplib.IMAP4.error), retry_backoff=True,
             max_retries=3)
def poll_imap(batch: int = 50) -> int:
    """Fetch unseen messages from IMAP_URL (imaps://user:password@host/INBOX), ingest them, mark them seen.

    Does nothing when IMAP_URL is unset. A message is flagged seen only after its outcome is stored.
    """
    config = _imap_settings()
    if config is None:
        return 0
    client_class = imaplib.IMAP4_SSL if config["ssl"] else imaplib.IMAP4
    with client_class(config["host"], config["port"], timeout=30) as client:
        client.login(config["user"], config["password"])
        client.select(config["mailbox"])
        _status, data = client.uid("search", None, "UNSEEN")
        uids = (data[0] or b"").split()[:batch]
        processed = 0
        for uid in uids:
            if not _fetch_and_ingest(client, uid):
                continue
            client.uid("store", uid, "+FLAGS", r"(\Seen)")
            processed += 1
    return processed


def _fetch_and_ingest(client, uid: bytes) -> bool:
    """Ingest one message; one over EMAIL_MAX_BYTES is recorded from its headers, its body never fetched."""
    _status, sized = client.uid("fetch", uid, "(RFC822.SIZE)")
    size = _imap_size(sized)
    if size is not None and size > settings.EMAIL_MAX_BYTES:
        _status, fetched = client.uid("fetch", uid, "(BODY.PEEK[HEADER])")
        head = next((item[1] for item in fetched if isinstance(item, tuple)), None)
        result = email_record_oversized(head=head or b"", size=size)
        logger.info("imap %s: %s", uid.decode(), result.summary)
        return True
    _status, fetched = client.uid("fetch", uid, "(BODY.PEEK[])")
    raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
    if raw is None:
        return False
    mailbox_process([(uid.decode(), raw)])
    return True


def _imap_size(response) -> int | None:
    for item in response or ():
        line = item[0] if isinstance(item, tuple) else item
        match = re.search(rb"RFC822\.SIZE (\d+)", line or b"")
        if match:
            return int(match.group(1))
    return None
