"""Ticket list filters, shared by the agent's list page and the API.

Parameter names are a public contract (the API documents them): q, status, priority, kind,
queue (slug), assignee (me/none/id), tag, created_after, created_before, ordering.

Every filter is written so that PostgreSQL can answer it from an index at 100k tickets:
- status, priority, kind, queue, assignee, created_*: the composite b-tree indexes on Ticket;
- tag: the m2m table's (tag_id, ticket_id) unique index, as an `id IN (...)` semi-join;
- q: `search_document LIKE '%term%'` on the ticket's case-folded search document (the customer's
  name and email, subject, description and every message body, kept by the services; the term
  folded the same way: no UPPER() per row), or the reference ("1302" and "#1302" mean DD-1302).
  ONE condition on the ticket row, so PostgreSQL chooses: for a rare term the trigram GIN index
  (migration 0005) finds the few tickets; for a common word it walks the created_at index
  backwards, filters, and stops after one page. (The former UNION of a subject arm and a message
  arm had to collect every match first: its cost grew with the number of matches.) SQLite runs
  the same SQL without an index.
"""

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from helpdesk.filters import DateTimeParameterFilter
from tickets.models import Message, Queue, Tag, Ticket
from tickets.services.search import search_document

# Sort keys offered to users; the row order inside equal keys is always newest first, then id.
ORDERING_FIELDS = {
    "created": "created_at",
    "updated": "updated_at",
    "priority": "priority_rank",  # generated columns on Ticket: low < normal < high < urgent,
    "status": "status_rank",  # and the life cycle's order; indexed with (-created_at, -id)
}
MIN_SEARCH_LENGTH = 1
MAX_SEARCH_LENGTH = 200
MAX_DB_ID = 2**63 - 1


def search_condition(term: str) -> Q:
    """Staff search: the reference, or `term` anywhere in the ticket's search document (the customer's
    name and email, subject, description, replies and notes)."""
    term = term.strip()[:MAX_SEARCH_LENGTH]
    return Q(search_document__contains=search_document(term)) | Q(reference__in=reference_spellings(term))


def reference_spellings(term: str) -> set[str]:
    """The references `term` may mean: "DD-1302" as typed or upper-cased, and "1302" or "#1302" as DD-1302."""
    spellings = {term, term.upper()}
    number = term.removeprefix("#").strip()
    if number.isascii() and number.isdigit():
        spellings.add(f"{settings.TICKET_REFERENCE_PREFIX}-{number}")
    return spellings


def ticket_ids_matching(term: str, *, include_notes: bool = True) -> QuerySet:
    """Ids of tickets whose reference, subject or a message body contains `term` (case-insensitive).

    Reads the messages themselves (not the search document): `include_notes=False` searches public
    replies only, what a customer may search.
    """
    term = term.strip()[:MAX_SEARCH_LENGTH]
    references = {term, term.upper()}
    by_ticket = Ticket.objects.filter(subject__icontains=term).values("id").order_by()
    by_reference = Ticket.objects.filter(reference__in=references).values("id").order_by()
    messages = Message.objects.all() if include_notes else Message.objects.filter(kind=Message.Kind.REPLY)
    by_message = messages.filter(body__icontains=term).values("ticket_id").order_by()
    return by_ticket.union(by_reference, by_message)


class TicketOrderingFilter(django_filters.OrderingFilter):
    """`ordering=created|-created|updated|-updated|priority|-priority|status|-status`.

    Priority and status sort by meaning (urgent above high), not alphabetically; ties fall back to
    newest first so that pages are stable.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        keys = []
        for item in value:
            descending = item.startswith("-")
            name = item.lstrip("-")
            field = ORDERING_FIELDS.get(name)
            if field is None:
                continue
            keys.append(f"-{field}" if descending else field)
        if not keys:
            return qs
        tiebreak = [k for k in ("-created_at", "-id") if k.lstrip("-") not in {x.lstrip("-") for x in keys}]
        return qs.order_by(*keys, *tiebreak)


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=MAX_SEARCH_LENGTH)
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, distinct=False, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(choices=Ticket.Priority.choices, distinct=False, label=_("Priority"))
    kind = django_filters.MultipleChoiceFilter(choices=Ticket.Kind.choices, distinct=False, label=_("Kind"))
    queue = django_filters.CharFilter(method="filter_queue", label=_("Queue"))
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    # What `<input type="date">` sends (YYYY-MM-DD) or an ISO 8601 date-time, parsed by helpdesk.dates.
    created_after = DateTimeParameterFilter(field_name="created_at", lookup_expr="gte", label=_("Created after"))
    created_before = DateTimeParameterFilter(field_name="created_at", lookup_expr="lt", label=_("Created before"))
    ordering = TicketOrderingFilter(
        fields=tuple((name, name) for name in ORDERING_FIELDS),
        field_labels={"created": _("Created"), "updated": _("Updated"), "priority": _("Priority"),
                      "status": _("Status")},
        label=_("Sort"),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    CHOICE_LISTS = ("status", "priority", "kind")

    def __init__(self, data=None, *args, **kwargs):
        # The filter form's "Any" option sends `status=`: no filter, not an invalid choice.
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            for name in self.CHOICE_LISTS:
                values = [value for value in data.getlist(name) if value]
                if values:
                    data.setlist(name, values)
                else:
                    data.pop(name, None)
        super().__init__(data, *args, **kwargs)

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = (value or "").strip()
        if len(value) < MIN_SEARCH_LENGTH:
            return queryset
        return queryset.filter(search_condition(value))

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """`me`, `none`, or a user id."""
        value = (value or "").strip()
        if value == "me":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            return queryset.filter(assignee=user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        # ASCII digits within the database's integer range; "²" or 10**30 match nothing (never a 500).
        if value.isascii() and value.isdigit() and int(value) <= MAX_DB_ID:
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    # Queue and tag are looked up first (one indexed query each) and filtered by id: a literal
    # `queue_id = 7` lets PostgreSQL walk (queue, status, -created_at) in order and stop after one
    # page, where a join on the slug made it sort every ticket of the queue (1 s at 100k).

    def filter_queue(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = (value or "").strip()
        if not value:
            return queryset
        queue_id = Queue.objects.filter(slug=value).values_list("id", flat=True).first()
        return queryset.filter(queue_id=queue_id) if queue_id is not None else queryset.none()

    def filter_tag(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = (value or "").strip().lower()
        if not value:
            return queryset
        tag_id = Tag.objects.filter(name=value).values_list("id", flat=True).first()
        if tag_id is None:
            return queryset.none()
        # EXISTS (a semi-join), not `id IN (...)`: PostgreSQL may then walk the created_at index and
        # probe the tag per ticket, stopping after one page, when the tag is common.
        tagged = Ticket.tags.through.objects.filter(tag_id=tag_id, ticket_id=OuterRef("pk"))
        return queryset.filter(Exists(tagged))

