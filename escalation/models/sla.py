"""Escalation's clocks: working calendars (periods, holidays), SLA policies and each ticket's SLA clock."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from tickets.models import Queue, Ticket

from .. import business_hours


class TeamCalendar(models.Model):
    """A team's working hours: time zone, weekly periods (several a day), holidays."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("team"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    holiday_country = models.CharField(
        _("public holidays of"), max_length=8, blank=True,
        help_text=_("ISO country code for the public holidays (for example EE, NL); empty for none."),
    )
    holiday_subdivision = models.CharField(_("region"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return f"{self.team} ({self.time_zone})"

    def clean(self):
        from zoneinfo import available_timezones

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone.")})
        if self.holiday_country:
            import holidays

            if self.holiday_country.upper() not in holidays.list_supported_countries():
                raise ValidationError({"holiday_country": _("No public-holiday calendar for this country code.")})

    def as_calendar(self) -> business_hours.Calendar:
        """The value object business_hours computes with (periods and holidays must be prefetched)."""
        return business_hours.Calendar.build(
            tz=self.time_zone,
            periods=[(p.weekday, p.start, p.end) for p in self.periods.all()],
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            extra_holidays=[h.date for h in self.holidays.all()],
        )


class WorkingPeriod(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(TeamCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self):
        if self.start is not None and self.end is not None and self.end != time(0) and self.end <= self.start:
            raise ValidationError({"end": _("A working period must end after it starts.")})


class Holiday(models.Model):
    calendar = models.ForeignKey(TeamCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_calendar_date")]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets for one queue (or all queues) and priority, in business hours of the team's calendar."""

    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_policies", verbose_name=_("queue"),
        help_text=_("Empty: every queue without a policy of its own."),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Ticket.Priority.choices)
    first_response_hours = models.DecimalField(_("first response (business hours)"), max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(_("resolution (business hours)"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["queue__name", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "priority"], name="slapolicy_unique_queue_priority"),
            models.UniqueConstraint(fields=["priority"], condition=Q(queue__isnull=True),
                                    name="slapolicy_unique_default_priority"),
            models.CheckConstraint(condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gt=0),
                                   name="slapolicy_positive_targets"),
        ]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        queue = self.queue if self.queue else _("All queues")
        return f"{queue} / {self.get_priority_display()}"


class TicketSla(models.Model):
    """A ticket's SLA clock. Due times are stored; the pending alarms (*_at columns that are not null)
    are what the beat task selects, each with its own partial index, and are cleared when handled."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_met = models.BooleanField(_("first response in time"), null=True)
    resolution_met = models.BooleanField(_("resolved in time"), null=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    # Pending alarms: not null = the beat task still has to act on it.
    fr_warning_at = models.DateTimeField(null=True, blank=True)
    fr_breach_at = models.DateTimeField(null=True, blank=True)
    res_warning_at = models.DateTimeField(null=True, blank=True)
    res_breach_at = models.DateTimeField(null=True, blank=True)
    complaint_at = models.DateTimeField(null=True, blank=True)
    # The resolution and complaint clocks pause while the ticket is pending (waiting on the customer):
    # their alarms move out of the indexed columns into `paused_alarms` and come back shifted by the
    # business time spent pending; `paused_seconds` sums the finished pauses of the current clock.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    paused_alarms = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["fr_warning_at"], name="sla_fr_warning_idx", condition=Q(fr_warning_at__isnull=False)),
            models.Index(fields=["fr_breach_at"], name="sla_fr_breach_idx", condition=Q(fr_breach_at__isnull=False)),
            models.Index(fields=["res_warning_at"], name="sla_res_warning_idx",
                         condition=Q(res_warning_at__isnull=False)),
            models.Index(fields=["res_breach_at"], name="sla_res_breach_idx", condition=Q(res_breach_at__isnull=False)),
            models.Index(fields=["complaint_at"], name="sla_complaint_idx", condition=Q(complaint_at__isnull=False)),
        ]
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")

    def __str__(self) -> str:
        return f"SLA {self.ticket_id}"
