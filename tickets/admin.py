from django.contrib import admin

from tickets import models
from tickets.services import search_document_rebuild, search_documents_rebuild_for_customer


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 1


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(models.Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "manager", "is_default")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "company", "language", "monthly_spend")
    search_fields = ("name", "email", "company")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "email"} & set(form.changed_data):
            search_documents_rebuild_for_customer(customer=obj)  # agents search tickets by these


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "time_zone", "is_away")
    list_filter = ("is_away", "language")


@admin.register(models.Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "team")


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(models.InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "reason", "ticket")
    list_select_related = ("ticket",)  # nullable: the default select_related skips it (one query a row)
    list_filter = ("outcome",)
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = [f.name for f in models.InboundEmail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(models.Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("reference", "subject", "status", "priority", "queue", "assignee", "created_at")
    list_select_related = ("queue", "assignee")  # assignee is nullable: the default select_related skips it
    list_filter = ("status", "priority", "kind", "queue")
    search_fields = ("reference", "subject")
    raw_id_fields = ("customer", "assignee")
    readonly_fields = ("reference", "version", "status", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"subject", "description"} & set(form.changed_data):
            search_document_rebuild(ticket=obj)  # the agents' search must find the new words
