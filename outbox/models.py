"""The outbox: one row per thing that must leave the desk (an email now, a webhook call next).

A domain row that causes something to go out (a survey, a ticket notification, a staff notice, a
weekly summary) points to its `Delivery` and keeps only its own meaning; how and whether the delivery
went out (due time, claim, attempts, error, Message-ID, sent time) lives here, in one shape, claimed,
retried and failed visibly by one implementation (`outbox.services`). What a kind of delivery says is
its app's business (`outbox.kinds`).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    class Transport(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent")

    kind = models.CharField(_("kind"), max_length=40)  # a registered `outbox.kinds.Kind`
    transport = models.CharField(_("transport"), max_length=10, choices=Transport.choices, default=Transport.EMAIL)
    recipient = models.CharField(_("recipient"), max_length=320, blank=True)  # address (email) or URL (webhook)
    language = models.CharField(_("language"), max_length=10, blank=True)
    reference = models.CharField(_("ticket"), max_length=40, blank=True)  # the ticket it is about, if any
    object_id = models.BigIntegerField(_("object"), null=True, blank=True)  # payload of a kind without rows of its own
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    cancel_reason = models.CharField(_("why not sent"), max_length=40, blank=True)  # a code of its kind
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)  # accepted by the server (SMTP: 250)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    PENDING_STATES = (State.PENDING, State.SENDING)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            # The claim: rows still to send, in due order (a few rows, however long the history).
            models.Index(fields=["due_at", "id"], name="delivery_due_idx",
                         condition=Q(state__in=["pending", "sending"])),
            models.Index(fields=["-created_at", "-id"], name="delivery_created_idx"),
            models.Index(fields=["state", "-created_at"], name="delivery_state_idx"),
            models.Index(fields=["reference"], name="delivery_reference_idx", condition=~Q(reference="")),
            models.Index(fields=["message_id"], name="delivery_message_id_idx", condition=~Q(message_id="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state="cancelled") | Q(cancel_reason=""),
                                   name="delivery_cancel_reason_only_when_cancelled"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} to {self.recipient or '?'} ({self.state})"
