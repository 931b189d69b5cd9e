from django.contrib import admin

from reports.models import WeeklySummary


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(admin.ModelAdmin):
    """The weekly summary outbox: what was sent, what failed and why (read-only; the beat task retries)."""

    list_display = ["week", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "week"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "week", "state", "attempts", "last_error", "sent_at", "created_at"]

    def has_add_permission(self, request):
        return False
