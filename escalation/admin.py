"""Admin for the data that drives escalation: rules, SLA policies, calendars, authority limits."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from escalation.forms import EscalationRuleAdminForm
from escalation.models import (
    AuthorityLimit,
    Escalation,
    EscalationEvent,
    EscalationRule,
    Holiday,
    Notification,
    Remedy,
    SlaPolicy,
    TeamCalendar,
    WorkingPeriod,
)


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(TeamCalendar)
class TeamCalendarAdmin(admin.ModelAdmin):
    list_display = ("team", "time_zone", "holiday_country", "holiday_subdivision")
    inlines = [WorkingPeriodInline, HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "queue", "priority", "first_response_hours", "resolution_hours")
    list_filter = ("queue", "priority")


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    form = EscalationRuleAdminForm
    list_display = ("name", "trigger", "queue", "is_active", "parameters")
    list_filter = ("trigger", "is_active", "queue")
    list_editable = ("is_active",)


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ("__str__", "role", "user", "queue", "kind", "max_amount", "currency")
    list_filter = ("kind", "role", "queue")
    raw_id_fields = ("user",)


class EscalationEventInline(admin.TabularInline):
    model = EscalationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "trigger", "note", "seconds_since_raised", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    """Read-only: escalations change through the inbox (services), never by editing rows."""

    list_display = ("ticket", "trigger", "state", "level", "assigned_to", "created_at")
    list_filter = ("state", "trigger", "level")
    search_fields = ("ticket__reference", "reason_text")
    inlines = [EscalationEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Remedy)
class RemedyAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "amount", "currency", "state", "proposed_by", "decided_by", "created_at")
    list_filter = ("state", "kind")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "created_at", "read_at", "email_state")
    list_filter = ("kind",)
    list_select_related = ("recipient", "delivery")
    readonly_fields = [f.name for f in Notification._meta.fields]

    @admin.display(description=_("email"))
    def email_state(self, obj):
        return obj.delivery.get_state_display() if obj.delivery_id else "-"

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text_display[:80]
