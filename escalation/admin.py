"""Admin for the data that drives escalation: rules, SLA policies, calendars, authority limits.

That reference data is edited here, through the services and validators the desk uses: a policy or a
calendar saved or deleted here recomputes the SLA clocks of the open tickets it governs
(`services.sla_targets`), and a rule's parameters are checked by `EscalationRule.clean()`. Escalations,
remedies and notifications are written by services only: view-only here, linking to the desk's pages
("No second way in", docs/architecture.md).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from escalation import services
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
from helpdesk.admin_audit import ViewOnlyAdmin, ViewOnlyInline, desk_link


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(TeamCalendar)
class TeamCalendarAdmin(admin.ModelAdmin):
    """Saving or deleting a calendar (its periods and holidays are saved with it) recomputes the team's clocks."""

    list_display = ("team", "time_zone", "holiday_country", "holiday_subdivision")
    list_select_related = ("team",)
    inlines = [WorkingPeriodInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        teams = {form.instance.team_id, form.initial.get("team")} - {None}  # the team it was moved from too
        services.sla_calendar_changed(team_ids=teams)

    def delete_model(self, request, obj):
        services.team_calendar_delete(calendar=obj)

    def delete_queryset(self, request, queryset):
        for calendar in queryset:
            services.team_calendar_delete(calendar=calendar)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Saving or deleting a policy recomputes the clocks of the open tickets it governs."""

    list_display = ("__str__", "queue", "priority", "first_response_hours", "resolution_hours")
    list_select_related = ("queue",)  # nullable: the default select_related skips it (one query a row)
    list_filter = ("queue", "priority")

    def save_model(self, request, obj, form, change):
        services.sla_policy_save(policy=obj)

    def delete_model(self, request, obj):
        services.sla_policy_delete(policy=obj)

    def delete_queryset(self, request, queryset):
        for policy in queryset:
            services.sla_policy_delete(policy=policy)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    form = EscalationRuleAdminForm
    list_display = ("name", "trigger", "queue", "is_active", "parameters")
    list_select_related = ("queue",)
    list_filter = ("trigger", "is_active", "queue")
    list_editable = ("is_active",)


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ("__str__", "role", "user", "queue", "kind", "max_amount", "currency")
    list_select_related = ("user", "queue")
    list_filter = ("kind", "role", "queue")
    raw_id_fields = ("user",)


class EscalationEventInline(ViewOnlyInline, admin.TabularInline):
    model = EscalationEvent
    fields = ("created_at", "kind", "actor", "trigger", "what_happened", "seconds_since_raised")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("what happened"))
    def what_happened(self, event: EscalationEvent) -> str:
        return event.note_display


@admin.register(Escalation)
class EscalationAdmin(ViewOnlyAdmin):
    """Escalations change through the inbox and the escalation page (services), never by editing rows."""

    list_display = ("ticket", "trigger", "state", "level", "assigned_to", "created_at")
    list_select_related = ("ticket", "assigned_to")
    list_filter = ("state", "trigger", "level")
    search_fields = ("ticket__reference", "reason_text")
    # The desk's sentences (reason, routing) rendered in the reader's language, never their stored codes.
    fields = ("in_desk", "ticket", "queue", "team", "agent", "raised_by", "trigger", "reason_code", "why", "tried",
              "state", "level", "assigned_to", "routed", "rating_stars", "rating_comment", "rating_follow_up",
              "ack_due_at", "created_at", "acknowledged_at", "resolved_at", "resolved_by", "guidance")
    readonly_fields = ("in_desk", "why", "routed")
    inlines = [EscalationEventInline]

    @admin.display(description=_("desk"))
    def in_desk(self, escalation: Escalation):
        return desk_link(reverse("escalation:detail", args=[escalation.pk]))

    @admin.display(description=_("why"))
    def why(self, escalation: Escalation) -> str:
        return escalation.reason_display

    @admin.display(description=_("routing"))
    def routed(self, escalation: Escalation) -> str:
        return escalation.routing_explanation


@admin.register(Remedy)
class RemedyAdmin(ViewOnlyAdmin):
    """Remedies are proposed on the ticket page and decided in the approvals list (services)."""

    list_display = ("ticket", "kind", "amount", "currency", "state", "proposed_by", "decided_by", "created_at")
    list_select_related = ("ticket", "proposed_by", "decided_by")
    list_filter = ("state", "kind")
    readonly_fields = ("in_desk",)

    @admin.display(description=_("desk"))
    def in_desk(self, remedy: Remedy):
        return desk_link(reverse("tickets:detail", args=[remedy.ticket.reference]))


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    """What staff are told: the notice and whether it was read; its email is a row of the outbox
    ("Outgoing messages"), where a failed one is sent again."""

    list_display = ("recipient", "kind", "created_at", "read_at", "email_state")
    list_select_related = ("recipient", "delivery")
    list_filter = ("kind",)
    fields = ("recipient", "kind", "ticket", "escalation", "remedy", "said", "created_at", "read_at", "email_state")
    readonly_fields = ("said", "email_state")

    @admin.display(description=_("email"))
    def email_state(self, obj):
        return obj.delivery.get_state_display() if obj.delivery_id else "-"

    @admin.display(description=_("text"))
    def said(self, notification: Notification) -> str:
        return notification.text_display
