from django.contrib import admin

from helpdesk.admin_audit import ViewOnlyAdmin
from reports.models import WeeklySummary


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(ViewOnlyAdmin):
    """The weekly summary outbox: what was sent, what failed and why (view-only; the beat task retries)."""

    list_display = ["week", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "week"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
