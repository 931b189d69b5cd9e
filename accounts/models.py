"""People: who logs in (profiles), who answers (teams and their members) and who asks (customers).

Every write goes through `accounts.services`; these models hold only single-row invariants. The tables
were `tickets_*` until migration tickets/0011 renamed them when the models moved here.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


def _language_choices():
    return settings.LANGUAGES


class Profile(models.Model):
    """Preferences of any user who logs in: language, time zone, and whether a staff member is away."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=10, choices=_language_choices, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_away = models.BooleanField(_("away"), default=False, help_text=_("Away staff receive no escalations."))

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class TeamRole(models.TextChoices):
        AGENT = Role.AGENT.value, _("Agent")
        SUPERVISOR = Role.SUPERVISOR.value, _("Supervisor")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices, default=TeamRole.AGENT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.team} ({self.role})"


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="customer"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10, choices=_language_choices, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    company = models.CharField(_("company"), max_length=200, blank=True)
    monthly_spend = models.DecimalField(_("monthly spend"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="customer_unique_email_ci")]
        indexes = [models.Index(fields=["company"], name="customer_company_idx")]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
