"""Ticket list filters, shared by the agent's list page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tickets.models import Message, Ticket


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(choices=Ticket.Priority.choices, label=_("Priority"))
    kind = django_filters.MultipleChoiceFilter(choices=Ticket.Kind.choices, label=_("Kind"))
    queue = django_filters.CharFilter(field_name="queue__slug", label=_("Queue"))
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                                     label=_("Created after"))
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt",
                                                      label=_("Created before"))
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("updated_at", "updated"), ("priority", "priority"),
                ("status", "status")),
        label=_("Sort"),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        in_messages = Message.objects.filter(ticket=OuterRef("pk"), body__icontains=value)
        return queryset.filter(
            Q(reference__iexact=value) | Q(subject__icontains=value) | Exists(in_messages)
        )

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """`me`, `none`, or a user id."""
        if value == "me":
            return queryset.filter(assignee=self.request.user) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=value) if value.isdigit() else queryset.none()
