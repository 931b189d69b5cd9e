"""The reports' one table: which weekly summary email is owed to whom. Its email is a row of the outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeeklySummary(models.Model):
    """The weekly summary of one week for one supervisor or admin: one per recipient and week, written
    by the Monday beat with its `delivery` (the outbox row that sends it, retries it and shows its
    failure), so a second run of the beat writes nothing and the email goes out once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    week = models.DateField(_("week (Monday)"))
    delivery = models.OneToOneField(
        "outbox.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="weekly_summary",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "feedback_weeklysummary"  # the table it had in feedback (moved by migration, not copied)
        ordering = ["-week", "recipient_id"]
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week"], name="weekly_summary_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"weekly summary of {self.week} for {self.recipient_id}"
