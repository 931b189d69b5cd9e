"""Admin for the feedback data staff may need to inspect: the survey outbox (retry failed sends),
ratings with their history, wow stories and relationship surveys. Agent pulses are deliberately not
here: individual pulses are private to their agent.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from feedback import services
from feedback.models import NpsResponse, Rating, RatingChange, RelationshipSurvey, Survey, WeeklySummary, WowStory


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """The surveys; their emails are in the outbox's list ("Outgoing messages"), linked from each one."""

    list_display = ["id", "ticket", "customer", "agent", "state", "skip_reason", "email_state", "sent_at"]
    list_filter = ["state", "skip_reason", "language"]
    search_fields = ["ticket__reference", "customer__email", "delivery__message_id"]
    list_select_related = ["ticket", "customer", "agent", "delivery"]
    raw_id_fields = ["ticket", "customer", "agent", "queue"]
    readonly_fields = ["state", "delivery", "sent_at", "answered_at", "expires_at"]
    actions = ["retry_failed"]

    @admin.display(description=_("email"))
    def email_state(self, survey: Survey):
        delivery = survey.delivery
        if delivery is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:outbox_delivery_change", args=[delivery.pk]),
                           delivery.get_state_display())

    @admin.action(description=_("Send the selected failed surveys again"))
    def retry_failed(self, request, queryset):
        count = sum(services.survey_retry_failed(survey_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d survey is back in the outbox.", "%(count)d surveys are back in the outbox.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class RatingChangeInline(admin.TabularInline):
    model = RatingChange
    extra = 0
    can_delete = False
    readonly_fields = ["stars", "comment", "follow_up", "changed_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "stars", "agent", "queue", "company", "created_at"]
    list_filter = ["stars", "ticket_kind", "queue"]
    search_fields = ["ticket__reference", "customer__email", "company", "comment"]
    list_select_related = ["ticket", "agent", "queue"]
    raw_id_fields = ["survey", "ticket", "customer", "agent", "queue", "team"]
    inlines = [RatingChangeInline]


@admin.register(WowStory)
class WowStoryAdmin(admin.ModelAdmin):
    list_display = ["id", "team", "agent", "shared_at"]
    list_select_related = ["team", "agent"]
    raw_id_fields = ["rating", "agent"]


@admin.register(RelationshipSurvey)
class RelationshipSurveyAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "state", "sent_at"]
    list_filter = ["state"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    readonly_fields = ["state", "delivery", "sent_at", "expires_at"]


@admin.register(NpsResponse)
class NpsResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "company", "score", "answered_at"]
    list_filter = ["score"]
    list_select_related = ["customer"]
    raw_id_fields = ["survey", "customer"]


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
