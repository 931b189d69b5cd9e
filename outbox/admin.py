"""Everything the desk sends, in one list: what went out, what is waiting, what failed and why.

Read-only: rows are written by the services of the apps that cause them. Failed rows can be sent
again (after fixing the mail server) with the list's action.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.admin_audit import ViewOnlyAdmin
from outbox import kinds, services
from outbox.models import Delivery


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "kind_label", "recipient", "reference", "state", "attempts", "due_at",
                    "sent_at", "problem"]
    list_filter = ["state", KindFilter, "transport"]
    search_fields = ["recipient", "reference", "message_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # a long history: no COUNT(*) of the whole table per page
    actions = ["send_again"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, delivery: Delivery):
        return kinds.label(delivery.kind)

    @admin.display(description=_("problem"))
    def problem(self, delivery: Delivery):
        if delivery.state == Delivery.State.CANCELLED:
            return kinds.cancel_reason_label(delivery.kind, delivery.cancel_reason)
        return delivery.last_error[:200]

    @admin.action(description=_("Send the selected failed messages again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        count = services.deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message is back in the outbox.", "%(count)d messages are back in the outbox.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_send_again_permission(self, request) -> bool:
        # Not an edit: the outbox's service puts the rows back (staff who may change deliveries may ask it).
        return request.user.has_perm("outbox.change_delivery")
