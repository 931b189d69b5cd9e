"""The reports' one table: the outbox of the weekly summary email."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeeklySummary(models.Model):
    """The outbox row of one weekly summary email: one per recipient and week, written before sending,
    so that a duplicate delivery or a retry sends at most once and a failure stays visible."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    week = models.DateField(_("week (Monday)"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "feedback_weeklysummary"  # the table it had in feedback (moved by migration, not copied)
        ordering = ["-week", "recipient_id"]
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week"], name="weekly_summary_once_per_week"),
        ]
        indexes = [models.Index(fields=["state", "week"], name="weekly_summary_state_idx")]

    def __str__(self) -> str:
        return f"weekly summary of {self.week} for {self.recipient_id} ({self.state})"
