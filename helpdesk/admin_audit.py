"""The admin's part of "no second way in" (docs/architecture.md): rows that only services write (tickets'
history, escalations, surveys, ratings, outboxes) are shown in the admin but never added, changed or
deleted there; their pages link to the desk's own page, where the change is made through a service."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


class ViewOnlyAdmin(admin.ModelAdmin):
    """No add, no change, no delete (hence no bulk delete either); staff may still look."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyInline:
    """Mixin for inlines of history rows: shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def desk_link(url: str) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, _("Open in the desk"))
