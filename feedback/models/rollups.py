"""Pre-aggregated counts the reports read (`feedback.rollup` writes them; `reports.figures.counts` reads)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupCounts(models.Model):
    """The counters every rollup row holds: ratings per star (so CSAT, delight, the distribution and the
    average derive), and surveys sent and answered (the response rate), for the surveys SENT that day.

    Written only by `feedback.rollup` (atomic increments and upserts in the transaction of the change,
    or a rebuild in SQL); never edited by hand. Missing agent/team/queue are stored as 0, not NULL, so
    that the unique key works as an upsert target on every backend.
    """

    day = models.DateField(_("day"))
    n = models.IntegerField(_("ratings"), default=0)
    s1 = models.IntegerField(default=0)
    s2 = models.IntegerField(default=0)
    s3 = models.IntegerField(default=0)
    s4 = models.IntegerField(default=0)
    s5 = models.IntegerField(default=0)
    sent = models.IntegerField(_("surveys sent"), default=0)
    answered = models.IntegerField(_("surveys answered"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day}: {self.n} ratings, {self.sent} sent, {self.answered} answered"


class RatingRollup(RollupCounts):
    """Ratings and surveys per day and every dimension the reports filter or group by (the full key)."""

    agent = models.IntegerField(_("agent"), default=0)
    team = models.IntegerField(_("team"), default=0)
    queue = models.IntegerField(_("queue"), default=0)
    kind = models.CharField(_("ticket kind"), max_length=10, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)

    KEY = ("agent", "team", "queue", "kind", "company")

    class Meta:
        verbose_name = _("rating rollup")
        verbose_name_plural = _("rating rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agent", "team", "queue", "kind", "company"], name="rollup_full_key"
            ),
        ]


class RatingRollupAgent(RollupCounts):
    """The narrow rollup per day, agent and team: the dashboard's weekly trend, agent and team groups,
    the burnout watch and the CSAT side of the correlation, without the queue/kind/company spread."""

    agent = models.IntegerField(_("agent"), default=0)
    team = models.IntegerField(_("team"), default=0)

    KEY = ("agent", "team")

    class Meta:
        verbose_name = _("rating rollup per agent")
        verbose_name_plural = _("rating rollups per agent")
        constraints = [
            models.UniqueConstraint(fields=["day", "agent", "team"], name="rollup_agent_key"),
        ]


class RatingRollupCompany(RollupCounts):
    """The narrow rollup per day, team (the scope of supervisors) and customer company: revenue at risk
    per company and the company grouping."""

    team = models.IntegerField(_("team"), default=0)
    company = models.CharField(_("company"), max_length=200, blank=True)

    KEY = ("team", "company")

    class Meta:
        verbose_name = _("rating rollup per company")
        verbose_name_plural = _("rating rollups per company")
        constraints = [
            models.UniqueConstraint(fields=["day", "team", "company"], name="rollup_company_key"),
        ]
