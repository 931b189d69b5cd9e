"""Feedback: the post-ticket satisfaction loop (D1-D5, D7).

`Survey` is written in the same transaction that resolves a ticket, with its email's row in the outbox
(`outbox.Delivery`), which a worker sends when due. `Rating` is the one current answer to a survey,
`RatingChange` keeps every change. `AgentPulse` is the agent's side (ASAT), `NpsResponse` the
relationship survey, `WowStory` D7.

Business rules live in `feedback.services`; these models hold only single-row invariants.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STAR_LABELS = {
    # The D2 scale, customer's view.
    1: _("Very bad: no idea what service is"),
    2: _("Bad: close to a service failure"),
    3: _("Mediocre"),
    4: _("Satisfied with the service"),
    5: _("Delighted"),
}


def _language_choices():
    return settings.LANGUAGES


class Survey(models.Model):
    """One post-ticket survey: its state (`feedback.services.survey_lifecycle`), the credited agent, the
    rating's link; its email is `delivery`."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        SKIPPED = "skipped", _("Skipped")

    class SkipReason(models.TextChoices):
        NONE = "", _("(not skipped)")
        AGENT = "agent", _("Skipped by the agent")
        SPAM = "spam", _("Spam")
        DUPLICATE = "duplicate", _("Duplicate")
        INTERNAL = "internal", _("Internal")
        MERGED = "merged", _("Merged")
        AUTO_CLOSED = "auto_closed", _("Auto-closed without reply")
        THROTTLED = "throttled", _("Customer surveyed recently")
        REOPENED = "reopened", _("Reopened before sending")
        NO_EMAIL = "no_email", _("Customer has no email address")

    PENDING_STATES = (State.SCHEDULED,)

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="surveys", verbose_name=_("ticket")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="surveys", verbose_name=_("customer")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credited_surveys",
        verbose_name=_("credited agent"),
    )
    queue = models.ForeignKey(
        "tickets.Queue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("queue")
    )
    language = models.CharField(_("language"), max_length=10, choices=_language_choices, default="en")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    skip_reason = models.CharField(_("skip reason"), max_length=20, choices=SkipReason.choices, blank=True)
    skip_note = models.CharField(_("skip note"), max_length=500, blank=True)
    delivery = models.OneToOneField(
        "outbox.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="survey",
        verbose_name=_("email"),
    )  # none for a skipped survey
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="survey_customer_idx"),
            models.Index(fields=["ticket", "-created_at"], name="survey_ticket_idx"),
            models.Index(fields=["state", "sent_at"], name="survey_state_sent_idx"),
            models.Index(fields=["agent", "sent_at"], name="survey_agent_sent_idx"),
            models.Index(fields=["queue", "sent_at"], name="survey_queue_sent_idx"),
            models.Index(fields=["sent_at"], name="survey_sent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="skipped") | Q(skip_reason=""), name="survey_skip_reason_only_when_skipped"
            ),
            # Never twice for the same ticket: a second survey only after the first expired or was skipped.
            models.UniqueConstraint(
                fields=["ticket"], condition=~Q(state__in=["expired", "skipped"]), name="survey_one_live_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.pk} for ticket {self.ticket_id} ({self.state})"

    @property
    def due_at(self):
        """When its email goes out (its delivery's due time); None for a skipped survey."""
        return self.delivery.due_at if self.delivery_id else None


class Rating(models.Model):
    """The one current rating of a survey (D2 scale). Denormalised for cheap reports."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="rating", verbose_name=_("survey"))
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("ticket")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("customer")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("agent"),
    )
    # Denormalised from the ticket at rating time, so reports need no joins.
    queue = models.ForeignKey(
        "tickets.Queue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("queue")
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    ticket_kind = models.CharField(_("ticket kind"), max_length=10, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), choices=sorted(STAR_LABELS.items()))
    comment = models.TextField(_("comment"), blank=True)
    follow_up = models.TextField(_("answer to the follow-up question"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="rating_created_idx"),
            models.Index(fields=["agent", "created_at"], name="rating_agent_created_idx"),
            models.Index(fields=["queue", "created_at"], name="rating_queue_created_idx"),
            models.Index(fields=["team", "created_at"], name="rating_team_created_idx"),
            models.Index(fields=["ticket_kind", "created_at"], name="rating_kind_created_idx"),
            models.Index(fields=["company", "created_at"], name="rating_company_created_idx"),
            models.Index(fields=["stars", "created_at"], name="rating_stars_created_idx"),
            models.Index(fields=["customer", "created_at"], name="rating_customer_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}* on ticket {self.ticket_id}"

    @property
    def label(self) -> str:
        return str(STAR_LABELS.get(self.stars, ""))


class RatingChange(models.Model):
    """Every value a rating ever had, the first one included."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="changes", verbose_name=_("rating"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.TextField(_("comment"), blank=True)
    follow_up = models.TextField(_("answer to the follow-up question"), blank=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("rating change")
        verbose_name_plural = _("rating changes")
        indexes = [models.Index(fields=["rating", "changed_at"], name="ratingchange_rating_idx")]

    def __str__(self) -> str:
        return f"{self.stars}* at {self.changed_at}"


class RelationshipSurvey(models.Model):
    """A periodic NPS survey not tied to a ticket (D3). One row per customer per sending."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="relationship_surveys", verbose_name=_("customer")
    )
    language = models.CharField(_("language"), max_length=10, choices=_language_choices, default="en")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    delivery = models.OneToOneField(
        "outbox.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="relationship_survey",
        verbose_name=_("email"),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("relationship survey")
        verbose_name_plural = _("relationship surveys")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="relsurvey_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"relationship survey {self.pk} ({self.state})"


class NpsResponse(models.Model):
    """The answer to a relationship survey: NPS 0-10 and the two open questions of D3."""

    survey = models.OneToOneField(
        RelationshipSurvey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("relationship survey"),
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="nps_responses", verbose_name=_("customer")
    )
    company = models.CharField(_("company"), max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    if_unavailable = models.TextField(_("How would you feel if we were not available tomorrow?"), blank=True)
    one_thing = models.TextField(_("What one thing could we do to make you happier?"), blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("NPS response")
        verbose_name_plural = _("NPS responses")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=10), name="nps_score_0_to_10"),
        ]
        indexes = [
            models.Index(fields=["answered_at"], name="nps_answered_idx"),
            models.Index(fields=["customer", "answered_at"], name="nps_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"NPS {self.score} from {self.customer_id}"


class WowStory(models.Model):
    """A 5-star rating with a comment, offered to the agent's team (D7)."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="wow", verbose_name=_("rating"))
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wow_stories",
        verbose_name=_("team"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wow_stories",
        verbose_name=_("agent"),
    )
    text = models.TextField(_("story"))
    shared_at = models.DateTimeField(_("shared"), default=timezone.now)

    class Meta:
        ordering = ["-shared_at", "-id"]
        verbose_name = _("wow story")
        verbose_name_plural = _("wow stories")
        indexes = [
            models.Index(fields=["team", "-shared_at"], name="wow_team_shared_idx"),
            models.Index(fields=["-shared_at"], name="wow_shared_idx"),
        ]

    def __str__(self) -> str:
        return f"wow story {self.pk}"
