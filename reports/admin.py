from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpdesk.admin_audit import ViewOnlyAdmin
from reports.models import WeeklySummary


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(ViewOnlyAdmin):
    """Which weekly summaries were owed to whom (view-only); their emails are rows of the outbox
    ("Outgoing messages"), linked from each one, where a failed one shows its error and is sent again."""

    list_display = ["week", "recipient", "email_state", "sent_at"]
    list_filter = ["delivery__state", "week"]
    search_fields = ["recipient__username", "recipient__email", "delivery__message_id"]
    list_select_related = ["recipient", "delivery"]
    fields = ["recipient", "week", "created_at", "email_state", "sent_at"]
    readonly_fields = ["email_state", "sent_at"]

    @admin.display(description=_("email"))
    def email_state(self, summary: WeeklySummary):
        """The email's state, linked to its row in the outbox's list."""
        if summary.delivery is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:outbox_delivery_change", args=[summary.delivery_id]),
                           summary.delivery.get_state_display())

    @admin.display(description=_("sent"))
    def sent_at(self, summary: WeeklySummary):
        return summary.delivery.sent_at if summary.delivery is not None else None
