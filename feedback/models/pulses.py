"""The agent's side of the loop (ASAT): one pulse per ticket or per week, private to its agent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgentPulse(models.Model):
    """The agent's own feeling (ASAT): per ticket, or per week. Private to the agent."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("Ticket")
        WEEKLY = "weekly", _("Weekly")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulses", verbose_name=_("agent")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pulses",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TICKET)
    # null = asked but not answered yet (a pending pulse); skipped = the agent chose not to answer.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    skipped = models.BooleanField(_("skipped"), default=False)
    note = models.TextField(_("note"), blank=True)
    week = models.DateField(_("week (Monday)"))
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agent pulse")
        verbose_name_plural = _("agent pulses")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)), name="pulse_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=(Q(kind="ticket") & Q(ticket__isnull=False)) | (Q(kind="weekly") & Q(ticket__isnull=True)),
                name="pulse_ticket_iff_ticket_kind",
            ),
            models.UniqueConstraint(
                fields=["agent", "ticket"], condition=Q(kind="ticket"), name="pulse_unique_agent_ticket"
            ),
            models.UniqueConstraint(
                fields=["agent", "week"], condition=Q(kind="weekly"), name="pulse_unique_agent_week"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="pulse_agent_created_idx"),
            models.Index(fields=["agent"], name="pulse_pending_idx", condition=Q(score__isnull=True, skipped=False)),
            models.Index(fields=["week", "agent"], name="pulse_week_agent_idx"),
            models.Index(fields=["created_at"], name="pulse_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} pulse of {self.agent_id}: {self.score}"

    @property
    def is_pending(self) -> bool:
        return self.score is None and not self.skipped
