from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helpdesk.admin_audit import ViewOnlyAdmin, ViewOnlyInline, desk_link
from helpdesk.errors import DomainError
from tickets import models, services
from tickets.selectors_workspace import assignee_choices

User = get_user_model()
# What the admin may change on a ticket: each through `services.ticket_update`, as on the ticket page.
CHANGED_BY_SERVICES = ("queue", "priority", "kind", "assignee", "tags")


@admin.register(models.Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "manager", "is_default")
    list_select_related = ("team", "manager")  # manager is nullable: the default select_related skips it
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "team")
    list_select_related = ("team",)  # nullable: the default select_related skips it (one query a row)


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    """Reference data; but deleting a tag would take it off its tickets with no event on their timeline."""

    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.tickets.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one tag at a time, each checked above
        return actions


@admin.register(models.InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "reason", "ticket")
    list_select_related = ("ticket",)  # nullable: the default select_related skips it (one query a row)
    list_filter = ("outcome",)
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = [f.name for f in models.InboundEmail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class TicketEventInline(ViewOnlyInline, admin.TabularInline):
    """The ticket's timeline, as the services wrote it."""

    model = models.TicketEvent
    fields = ("created_at", "kind", "from_value", "to_value", "actor", "why")
    readonly_fields = fields
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("reason"))
    def why(self, event: models.TicketEvent) -> str:
        return event.reason_display


class TicketAdminForm(forms.ModelForm):
    """The fields a ticket service changes, with the version the page was drawn at (as on the ticket page)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = models.Ticket
        fields = CHANGED_BY_SERVICES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version


@admin.register(models.Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Queue, priority, kind, assignee and tags change through `ticket_update` (version check, an event per
    field, the signals that move the SLA clocks); everything else is read-only. Tickets are opened on the
    desk's "new ticket" page (`ticket_create`) and never deleted."""

    form = TicketAdminForm
    list_display = ("reference", "subject", "status", "priority", "queue", "assignee", "created_at")
    list_select_related = ("queue", "assignee")  # assignee is nullable: the default select_related skips it
    list_filter = ("status", "priority", "kind", "queue")
    search_fields = ("reference", "subject")
    autocomplete_fields = ("tags",)
    inlines = [TicketEventInline]
    fieldsets = (
        (None, {"fields": ("reference", "desk_link", "subject", "customer", "status", "channel", "language")}),
        (_("Changed as on the ticket page"), {
            "fields": (*CHANGED_BY_SERVICES, "expected_version"),
            "description": _("Each change is checked against the version you opened, recorded on the ticket's "
                             "timeline and moves its SLA clocks, as on the ticket page. Status, replies and notes: "
                             "open the ticket in the desk."),
        }),
        (_("Dates"), {"fields": ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
                                 "reopen_count", "version")}),
    )
    readonly_fields = ("reference", "desk_link", "subject", "customer", "status", "channel", "language",
                       "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "reopen_count",
                       "version")

    @admin.display(description=_("desk"))
    def desk_link(self, ticket: models.Ticket):
        return desk_link(reverse("tickets:detail", args=[ticket.reference]))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == models.Ticket.Status.CLOSED:
            return False  # the services refuse every change of a closed ticket
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # everything recorded about it would go with it, unrecorded

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("tickets:create"))  # reference, event, SLA and confirmation

    def get_fieldsets(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fieldsets
        return [(name, {**options, "fields": [f for f in options["fields"] if f != "expected_version"]})
                for name, options in self.fieldsets]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "assignee" in form.base_fields:
            # As on the ticket page: the team's members and the current assignee; and the admin, who may take any.
            field = form.base_fields["assignee"]
            field.queryset = assignee_choices(obj) | User.objects.filter(pk=request.user.pk).distinct()
            field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(getattr(field, "widget", None), RelatedFieldWidgetWrapper):
            # Choose among them; queues, people and tags are not created or edited from a ticket.
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_delete_related = False
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # "Save and add another" would lead to the desk's new-ticket page: not what the button says.
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refused:  # stale page, assignee outside the new team...: nothing was saved
            self.message_user(request, refused.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        ticket = models.Ticket.objects.select_related("queue", "assignee").get(pk=obj.pk)
        data, changed = form.cleaned_data, set(form.changed_data)
        updates = {name: data[name] for name in ("priority", "kind", "queue", "assignee") if name in changed}
        if "tags" in changed:
            updates["tags"] = [tag.name for tag in data["tags"]]
        services.ticket_update(ticket=ticket, actor=request.user, expected_version=data["expected_version"],
                               **updates)

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): the tags went through ticket_update above, with their event.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(models.NotificationLog)
class NotificationLogAdmin(ViewOnlyAdmin):
    """Which ticket notifications were due; their emails are rows of the outbox ("Outgoing messages"),
    listed there with their state, error and Message-ID, where a failed one is sent again."""

    list_display = ("created_at", "kind", "ticket", "email_state")
    list_select_related = ("ticket", "delivery")
    list_filter = ("kind", "delivery__state")
    search_fields = ("ticket__reference", "delivery__recipient", "delivery__message_id")
    readonly_fields = [f.name for f in models.NotificationLog._meta.fields]

    @admin.display(description=_("email"))
    def email_state(self, log: models.NotificationLog):
        return log.delivery.get_state_display() if log.delivery_id else "-"
