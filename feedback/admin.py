"""Admin for the feedback data staff may need to inspect: the survey outbox (retry failed sends),
ratings with their history, wow stories and relationship surveys. Agent pulses are deliberately not
here: individual pulses are private to their agent.

Every row here is written by a service (a customer's rating, the outbox's sends), so the admin shows them
view-only: no add, no change, no delete ("No second way in", docs/architecture.md). A rating edited or
deleted here would bypass its history, the reports' rollups and service recovery.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from feedback import services
from feedback.models import NpsResponse, Rating, RatingChange, RelationshipSurvey, Survey, WowStory
from helpdesk.admin_audit import ViewOnlyAdmin, ViewOnlyInline, desk_link


class TicketLinkMixin:
    @admin.display(description=_("desk"))
    def ticket_in_desk(self, obj):
        return desk_link(reverse("tickets:detail", args=[obj.ticket.reference]))


def _delivery_link(delivery) -> str:
    """The email's state, linked to its row in the outbox's list."""
    if delivery is None:
        return "-"
    return format_html('<a href="{}">{}</a>', reverse("admin:outbox_delivery_change", args=[delivery.pk]),
                       delivery.get_state_display())


@admin.register(Survey)
class SurveyAdmin(TicketLinkMixin, ViewOnlyAdmin):
    """The surveys; their emails are in the outbox's list ("Outgoing messages"), linked from each one."""

    list_display = ["id", "ticket", "customer", "agent", "state", "skip_reason", "email_state", "sent_at"]
    list_filter = ["state", "skip_reason", "language"]
    search_fields = ["ticket__reference", "customer__email", "delivery__message_id"]
    list_select_related = ["ticket", "customer", "agent", "delivery"]
    readonly_fields = ["ticket_in_desk", "email_state"]
    actions = ["retry_failed"]

    @admin.display(description=_("email"))
    def email_state(self, survey: Survey):
        return _delivery_link(survey.delivery)

    @admin.action(description=_("Send the selected failed surveys again"))
    def retry_failed(self, request, queryset):
        count = sum(services.survey_retry_failed(survey_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d survey is back in the outbox.", "%(count)d surveys are back in the outbox.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class RatingChangeInline(ViewOnlyInline, admin.TabularInline):
    model = RatingChange
    readonly_fields = ["stars", "comment", "follow_up", "changed_at"]


@admin.register(Rating)
class RatingAdmin(TicketLinkMixin, ViewOnlyAdmin):
    list_display = ["id", "ticket", "stars", "agent", "queue", "company", "created_at"]
    list_filter = ["stars", "ticket_kind", "queue"]
    search_fields = ["ticket__reference", "customer__email", "company", "comment"]
    list_select_related = ["ticket", "agent", "queue"]
    readonly_fields = ["ticket_in_desk"]
    inlines = [RatingChangeInline]


@admin.register(WowStory)
class WowStoryAdmin(ViewOnlyAdmin):
    list_display = ["id", "team", "agent", "shared_at"]
    list_select_related = ["team", "agent"]


@admin.register(RelationshipSurvey)
class RelationshipSurveyAdmin(ViewOnlyAdmin):
    list_display = ["id", "customer", "state", "sent_at", "email_state"]
    list_filter = ["state"]
    list_select_related = ["customer", "delivery"]
    readonly_fields = ["email_state"]

    @admin.display(description=_("email"))
    def email_state(self, survey: RelationshipSurvey):
        return _delivery_link(survey.delivery)


@admin.register(NpsResponse)
class NpsResponseAdmin(ViewOnlyAdmin):
    list_display = ["id", "customer", "company", "score", "answered_at"]
    list_filter = ["score"]
    list_select_related = ["customer"]
