"""Tickets: where they wait (queues), the conversation itself, and its audit trail. People are `accounts`.

Business rules live in `tickets.services`; these models hold only single-row invariants.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Team
from helpdesk import phrases


def _language_choices():
    return settings.LANGUAGES


def _rank(field: str, values: list[str]) -> Case:
    """`values`' position as a small integer (the meaning's order), for a generated, indexable sort column."""
    return Case(*(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)), default=Value(-1))


class Queue(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="queues", verbose_name=_("team"))
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_queues",
        verbose_name=_("manager"),
    )
    is_default = models.BooleanField(_("default for new tickets"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending (waiting on customer)")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        PROBLEM = "problem", _("Problem")
        COMPLAINT = "complaint", _("Complaint")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("Email")
        API = "api", _("API")
        PHONE = "phone", _("Phone (by an agent)")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)

    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("queue"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("language"), max_length=10, choices=_language_choices, default="en")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    # What the agents' search looks into: subject, description and every message body (notes
    # included: only staff search it), kept by the services in the same transaction as the change.
    # One trigram GIN index on it (migration 0005) answers rare terms; common ones walk the
    # created_at index and stop after a page (see tickets.filters).
    search_document = models.TextField(editable=False, blank=True, default="")
    # Sort keys by meaning (urgent above high; the life cycle's order), computed by the database.
    priority_rank = models.GeneratedField(
        expression=_rank("priority", ["low", "normal", "high", "urgent"]),
        output_field=models.SmallIntegerField(), db_persist=True,
    )
    status_rank = models.GeneratedField(
        expression=_rank("status", ["new", "open", "pending", "resolved", "closed"]),
        output_field=models.SmallIntegerField(), db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ticket_status_created_idx"),
            models.Index(fields=["queue", "status", "-created_at"], name="ticket_queue_status_idx"),
            models.Index(fields=["assignee", "status", "-created_at"], name="ticket_assignee_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            models.Index(fields=["priority", "-created_at"], name="ticket_priority_idx"),
            models.Index(fields=["kind", "-created_at"], name="ticket_kind_idx"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
            models.Index(fields=["-updated_at"], name="ticket_updated_idx"),
            models.Index(fields=["-priority_rank", "-created_at", "-id"], name="ticket_priority_rank_idx"),
            models.Index(fields=["-status_rank", "-created_at", "-id"], name="ticket_status_rank_idx"),
            models.Index(
                fields=["status", "resolved_at"], name="ticket_resolved_idx", condition=Q(status="resolved")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Message(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPLY)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ticket_messages"
    )
    author_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(_("message"))
    # A note the desk composes (a remedy applied, an escalation returned) is a `helpdesk.phrases` value,
    # rendered in the reader's language; `body` then holds only what the person typed with it.
    phrase = models.JSONField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Ticket.Channel.choices, default=Ticket.Channel.WEB)
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(kind="note") & Q(author_user__isnull=True)), name="message_note_has_staff_author"
            )
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind == self.Kind.REPLY

    @property
    def body_display(self) -> str:
        return phrases.render(phrases.join(self.phrase, self.body))

    @property
    def from_customer(self) -> bool:
        return self.author_customer_id is not None and self.author_user_id is None


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.ticket_id}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One row per change of a ticket, written in the same transaction as the change (the audit trail)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        ASSIGNEE = "assignee", _("Assignee changed")
        PRIORITY = "priority", _("Priority changed")
        QUEUE = "queue", _("Queue changed")
        KIND = "kind", _("Kind changed")
        TAGS = "tags", _("Tags changed")
        REOPENED = "reopened", _("Reopened")
        NOTE = "note", _("Note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ticket_events"
    )
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)  # as a person typed it
    reason_phrase = models.JSONField(null=True, blank=True)  # the desk's reason, as a `helpdesk.phrases` value
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_created_idx"),
        ]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value} -> {self.to_value}"

    @property
    def reason_display(self) -> str:
        return phrases.render(phrases.join(self.reason_phrase, self.reason))

    @property
    def from_label(self) -> str:
        """The value before the change as a reader says it (a status or channel by its name, not its code)."""
        return self._label(self.from_value)

    @property
    def to_label(self) -> str:
        return self._label(self.to_value)

    def _label(self, value: str) -> str:
        return str(_EVENT_VALUE_LABELS.get(self.kind, {}).get(value, value))


# Events whose values are codes of a choice: shown by the choice's name, in the reader's language.
_EVENT_VALUE_LABELS = {
    TicketEvent.Kind.STATUS: dict(Ticket.Status.choices),
    TicketEvent.Kind.REOPENED: dict(Ticket.Status.choices),
    TicketEvent.Kind.PRIORITY: dict(Ticket.Priority.choices),
    TicketEvent.Kind.KIND: dict(Ticket.Kind.choices),
    TicketEvent.Kind.CREATED: dict(Ticket.Channel.choices),
}


class Macro(models.Model):
    """A canned reply. Placeholders: {customer_name}, {reference}, {agent_name}."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"))
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="macros", verbose_name=_("team")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.name


class InboundEmail(models.Model):
    """Every email the desk received, whatever became of it: nothing is silently dropped."""

    class Outcome(models.TextChoices):
        NEW_TICKET = "new_ticket", _("Opened a ticket")
        REPLY = "reply", _("Added to a ticket")
        REJECTED = "rejected", _("Rejected")

    message_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    raw = models.BinaryField(_("raw message"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    class HoldReason(models.TextChoices):
        DMARC_FAILED = "dmarc_failed", _("the sender's domain did not vouch for it (DMARC failed)")
        SPF_FAILED = "spf_failed", _("it came from a server the sender's domain does not use (SPF failed)")
        SENDER_DIFFERS = "sender_differs", _("it was sent on behalf of the address in From by someone else")

    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # Held for review: a new ticket (never a reply on an existing one), no confirmation sent.
    held_because = models.CharField(_("held because"), max_length=20, choices=HoldReason.choices, blank=True)
    # The ticket it names (subject, or a reply to that ticket's mail) without being threaded onto it.
    mentioned_ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("mentions")
    )
    text_truncated = models.BooleanField(_("text cut to the limit"), default=False)
    structure_broken = models.BooleanField(_("broken MIME structure"), default=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_idx")]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.outcome})"


class NotificationLog(models.Model):
    """One email about a ticket that must leave the desk: its cause (a ticket's confirmation, a reply's
    notification), once per ticket or message. How it goes out (due time, attempts, error, Message-ID,
    sent time) is its `delivery` in the outbox; `tickets.services.notifications` says what it contains.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Ticket confirmation to the customer")
        REPLY_TO_CUSTOMER = "reply_to_customer", _("Public reply to the customer")
        CUSTOMER_REPLIED = "customer_replied", _("Customer reply to the assignee")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    delivery = models.OneToOneField(
        "outbox.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="notification_log",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ticket"], condition=Q(message__isnull=True), name="notification_unique_ticket_kind"
            ),
            models.UniqueConstraint(
                fields=["kind", "message"], condition=Q(message__isnull=False), name="notification_unique_message_kind"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} of ticket {self.ticket_id}"
