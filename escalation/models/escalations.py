"""Escalations: rules as data, escalations with their history, remedies within authority, staff notices.

Business rules live in `escalation.services`; these models hold only single-row invariants.
"""

import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from accounts.roles import Role
from helpdesk import phrases
from tickets.models import Queue, Ticket

from .sla import SlaPolicy, TicketSla  # noqa: F401 - referenced by the rules and the escalations


class Trigger(models.TextChoices):
    MANUAL = "manual", _("Manual: get someone who can")
    AUTHORITY = "authority", _("Remedy above the agent's authority")
    SLA_FIRST_RESPONSE = "sla_first_response", _("First-response target breached")
    SLA_RESOLUTION = "sla_resolution", _("Resolution target breached")
    REPEAT_CONTACT = "repeat_contact", _("Repeat contact")
    COMPLAINT = "complaint", _("Complaint unresolved")
    SERVICE_RECOVERY = "service_recovery", _("Service recovery (low rating)")


# What each kind of rule reads from its parameters, with the defaults used when a key is absent.
# `ack_minutes` counts in business hours of the team's calendar unless `ack_around_the_clock` is 1.
RULE_PARAMETERS: dict[str, dict] = {
    Trigger.MANUAL: {"ack_minutes": 30, "ack_around_the_clock": 0},
    Trigger.AUTHORITY: {"ack_minutes": 60, "ack_around_the_clock": 0},
    Trigger.SLA_FIRST_RESPONSE: {"ack_minutes": 30, "ack_around_the_clock": 0, "warning_percent": 80},
    Trigger.SLA_RESOLUTION: {"ack_minutes": 60, "ack_around_the_clock": 0, "warning_percent": 80},
    Trigger.REPEAT_CONTACT: {"ack_minutes": 60, "ack_around_the_clock": 0, "reopen_count": 2, "ticket_count": 3,
                             "window_days": 7},
    Trigger.COMPLAINT: {"ack_minutes": 30, "ack_around_the_clock": 0, "target_hours": 4},
    Trigger.SERVICE_RECOVERY: {"ack_minutes": 15, "ack_around_the_clock": 0, "max_stars": 2},
}


FLAG_PARAMETERS = frozenset({"ack_around_the_clock"})
WHOLE_PARAMETERS = frozenset({"reopen_count", "ticket_count", "max_stars"})  # counts: no fractions
PARAMETER_MAXIMUM = {"warning_percent": 100, "max_stars": 5}  # a warning after the breach; ratings are 1-5


def parameter_problem(trigger: str, key: str, value) -> str | None:
    """Why `key: value` is not a valid parameter of a `trigger` rule, or None."""
    known = RULE_PARAMETERS[trigger]
    if key not in known:
        return _("Unknown parameter %(key)s for this trigger; allowed: %(allowed)s.") % {
            "key": key, "allowed": ", ".join(known)}
    if key in FLAG_PARAMETERS:
        if isinstance(value, bool) or value not in (0, 1):
            return _("%(key)s must be 0 (off) or 1 (on).") % {"key": key}
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _("%(key)s must be a number, written without quotes, for example %(example)s.") % {
            "key": key, "example": known[key]}
    if value <= 0:
        return _("%(key)s must be a positive number.") % {"key": key}
    if key in WHOLE_PARAMETERS and value != int(value):
        return _("%(key)s must be a whole number.") % {"key": key}
    if key in PARAMETER_MAXIMUM and value > PARAMETER_MAXIMUM[key]:
        return _("%(key)s must be at most %(maximum)s.") % {"key": key, "maximum": PARAMETER_MAXIMUM[key]}
    return None


class EscalationRule(models.Model):
    """When a trigger fires, for one queue or all: rules are data, edited in the admin."""

    name = models.CharField(_("name"), max_length=100)
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="escalation_rules",
        verbose_name=_("queue"), help_text=_("Empty: every queue without a rule of its own for this trigger."),
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    is_active = models.BooleanField(_("active"), default=True)
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True,
        help_text=_("Numbers by name, for example {\"ack_minutes\": 30, \"ack_around_the_clock\": 1}; a name "
                    "left out takes its default. Every trigger: ack_minutes (minutes the person it is routed to "
                    "has to acknowledge it) and ack_around_the_clock (1: those minutes count around the clock; "
                    "0: in the business hours of the team's calendar). First-response and resolution targets: "
                    "warning_percent (warn at this share of the target). Repeat contact: reopen_count "
                    "(reopenings), ticket_count and window_days (tickets from one customer within that many "
                    "days). Complaint: target_hours (business hours to resolve it). Service recovery: max_stars "
                    "(ratings of at most this many stars escalate)."),
    )

    class Meta:
        ordering = ["trigger", "queue__name"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "trigger"], name="rule_unique_queue_trigger"),
            models.UniqueConstraint(fields=["trigger"], condition=Q(queue__isnull=True),
                                    name="rule_unique_default_trigger"),
        ]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.trigger not in RULE_PARAMETERS:
            return
        if not isinstance(self.parameters, dict):
            raise ValidationError({"parameters": _("Parameters must be an object of names and numbers.")})
        problems = [problem for key, value in self.parameters.items()
                    if (problem := parameter_problem(self.trigger, key, value)) is not None]
        if problems:
            raise ValidationError({"parameters": problems})

    def param(self, key: str):
        return self.parameters.get(key, RULE_PARAMETERS[self.trigger][key])


class Escalation(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RETURNED = "returned", _("Returned to the agent")
        RESOLVED = "resolved", _("Resolved")

    class Reason(models.TextChoices):
        NEEDS_AUTHORITY = "needs_authority", _("Needs authority")
        TECHNICAL_DEPTH = "technical_depth", _("Needs technical depth")
        UPSET_CUSTOMER = "upset_customer", _("Upset customer")
        POLICY_EXCEPTION = "policy_exception", _("Policy exception")
        OTHER = "other", _("Other")

    class Level(models.IntegerChoices):
        TEAM = 1, _("Team supervisor")
        MANAGER = 2, _("Queue manager")
        ADMIN = 3, _("Administrator")

    OPEN_STATES = (State.OPEN, State.ACKNOWLEDGED)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("ticket"))
    queue = models.ForeignKey(Queue, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("queue"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("team"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("agent"), help_text=_("The ticket's assignee when it was escalated."),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("raised by"),
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    reason_code = models.CharField(_("reason"), max_length=30, choices=Reason.choices, default=Reason.OTHER)
    # Why: what the desk says (a `helpdesk.phrases` value: "Customer rated 2 stars ...") and what a person
    # typed ("In your words"); shown together as `reason_display`.
    reason_phrase = models.JSONField(_("reason (composed)"), null=True, blank=True)
    reason_text = models.TextField(_("why"), blank=True)
    tried = models.TextField(_("what was tried"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    level = models.PositiveSmallIntegerField(_("tier"), choices=Level.choices, default=Level.TEAM)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations",
        verbose_name=_("handled by"),
    )
    routing = models.JSONField(_("routing"), null=True, blank=True)  # a phrase: see `routing_explanation`
    rating_stars = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_follow_up = models.TextField(_("answer to the follow-up question"), blank=True,
                                        help_text=_("What the customer answered to \"Where did we go wrong?\""))
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rating_id = models.BigIntegerField(null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    guidance = models.TextField(_("guidance for the agent"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state__in=["open", "acknowledged"]),
                name="escalation_one_open_per_ticket",
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "state", "-created_at"], name="esc_assignee_state_idx"),
            models.Index(fields=["team", "state", "-created_at"], name="esc_team_state_idx"),
            models.Index(fields=["ack_due_at"], name="esc_ack_due_idx", condition=Q(ack_due_at__isnull=False)),
            models.Index(fields=["created_at"], name="esc_created_idx"),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} on {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def reason_display(self) -> str:
        """Why it was escalated, in the active language (the typed words as typed)."""
        return phrases.render(phrases.join(self.reason_phrase, self.reason_text))

    @property
    def routing_explanation(self) -> str:
        """Who handles it and why, in the active language."""
        return phrases.render(self.routing)


class EscalationEvent(models.Model):
    """The escalation's history: every firing, routing decision and action, timed."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        FIRED_AGAIN = "fired_again", _("Trigger fired again")
        ROUTED = "routed", _("Routed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        TIER_UP = "tier_up", _("Moved up a tier")
        TOOK_OVER = "took_over", _("Took over the ticket")
        COACHED = "coached", _("Returned to the agent with guidance")
        REASSIGNED = "reassigned", _("Reassigned")
        REMEDY_APPROVED = "remedy_approved", _("Remedy approved")
        REMEDY_DENIED = "remedy_denied", _("Remedy denied")
        RESOLVED = "resolved", _("Resolved")
        RATING_CHANGED = "rating_changed", _("The customer changed the rating")
        CUSTOMER_ANSWERED = "customer_answered", _("The customer answered")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices, blank=True)
    phrase = models.JSONField(_("what happened"), null=True, blank=True)  # composed by the desk
    note = models.TextField(_("note"), blank=True)  # typed by a person
    seconds_since_raised = models.PositiveIntegerField(_("seconds since raised"), default=0)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["escalation", "created_at"], name="escevent_esc_created_idx")]
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")

    def __str__(self) -> str:
        return f"{self.kind} ({self.escalation_id})"

    @property
    def note_display(self) -> str:
        return phrases.render(phrases.join(self.phrase, self.note))


class RemedyKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    DISCOUNT = "discount", _("Discount (%)")
    CREDIT = "credit", _("Credit")
    REPLACEMENT = "replacement", _("Replacement")
    CANCELLATION = "cancellation", _("Cancellation")


class AuthorityLimit(models.Model):
    """How far a role (or one person) may go without approval, per remedy kind, in one queue or all.

    The most specific limit wins: person+queue, person, role+queue, role. No limit = approval needed.
    The discount's amount is a percentage; every other kind is money in `currency`.
    """

    role = models.CharField(_("role"), max_length=20, blank=True,
                            choices=[(r.value, r.label) for r in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="authority_limits", verbose_name=_("person"))
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="authority_limits",
                              verbose_name=_("queue"))
    kind = models.CharField(_("remedy"), max_length=20, choices=RemedyKind.choices)
    max_amount = models.DecimalField(_("up to"), max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["kind", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False)) | (~Q(role="") & Q(user__isnull=True)),
                name="limit_role_xor_user",
            ),
            models.CheckConstraint(condition=Q(max_amount__gte=0), name="limit_non_negative"),
        ]
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")

    def __str__(self) -> str:
        who = self.user or self.get_role_display()
        return f"{who}: {self.get_kind_display()} ≤ {self.max_amount}"


class Remedy(models.Model):
    class State(models.TextChoices):
        APPLIED = "applied", _("Applied within authority")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="remedies", verbose_name=_("ticket"))
    kind = models.CharField(_("remedy"), max_length=20, choices=RemedyKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    reason = models.TextField(_("why"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="remedies",
                                    verbose_name=_("proposed by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    limit_amount = models.DecimalField(_("limit at the time"), max_digits=10, decimal_places=2, null=True, blank=True)
    escalation = models.ForeignKey(Escalation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="remedies")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="remedy_amount_non_negative")]
        indexes = [
            models.Index(fields=["proposed_by", "state", "-created_at"], name="remedy_proposer_idx"),
            models.Index(fields=["state", "-created_at"], name="remedy_state_idx"),
        ]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.get_state_display()})"

    @property
    def unit(self) -> str:
        return "%" if self.kind == RemedyKind.DISCOUNT else self.currency


class Notification(models.Model):
    """A staff notification (navigation count + email): one row per thing to tell someone.

    Written in the same transaction as its cause, with its email's row in the outbox (`delivery`),
    which a worker sends after commit; `key` makes a trigger that fires twice notify once.
    """

    class Kind(models.TextChoices):
        ROUTED = "routed", _("Escalation routed to you")
        SLA_WARNING = "sla_warning", _("SLA warning")
        REMEDY_DECIDED = "remedy_decided", _("Remedy decided")
        COACHED = "coached", _("Guidance from a supervisor")
        REMEDY_PENDING = "remedy_pending", _("Remedy awaiting your approval")
        LOW_RATING = "low_rating", _("Low rating on an escalation you handle")
        RATING_CHANGED = "rating_changed", _("The customer changed the rating")
        CUSTOMER_ANSWERED = "customer_answered", _("The customer answered")

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="escalation_notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    phrase = models.JSONField(null=True, blank=True)  # what the desk says, rendered in the recipient's language
    text = models.TextField(blank=True)  # what a person wrote (a supervisor's guidance)
    delivery = models.OneToOneField("outbox.Delivery", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="escalation_notification", verbose_name=_("email"))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_unread_idx", condition=Q(read_at__isnull=True)),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"

    @property
    def text_display(self) -> str:
        return phrases.render(phrases.join(self.phrase, self.text))
