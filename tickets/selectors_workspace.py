"""Reads for the agent's workspace: the list's views and counts, the ticket page's timeline and panels.

Every function here issues a fixed number of queries whatever the page size or the number of
tickets (the list's tests assert it), and lets PostgreSQL answer from indexes (see bench/README.md).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from math import ceil

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tickets.models import Macro, Message, Queue, Ticket, TicketEvent
from tickets.roles import Role, role_of
from tickets.selectors import messages_visible_to, queues_visible_to, team_ids_of, visible_to

# The list's views: (slug, label). Which ones a user gets depends on the role (see views_for).
VIEW_MY, VIEW_UNASSIGNED, VIEW_TEAM, VIEW_ALL = "my", "unassigned", "team", "all"
VIEW_LABELS = {
    VIEW_MY: _("My tickets"),
    VIEW_UNASSIGNED: _("Unassigned"),
    VIEW_TEAM: _("My teams"),
    VIEW_ALL: _("All"),
}
# The list's status filter: nothing chosen means the unsolved work (what the badges count); "any" lifts it.
STATUS_ANY = "any"
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# Counting beyond this many matches costs time and tells an agent nothing: "1,000+" says it all.
COUNT_CAP = 1000


def views_for(user) -> list[str]:
    """Agents and supervisors work their teams' queues; admins see everything."""
    if role_of(user) == Role.ADMIN:
        return [VIEW_MY, VIEW_UNASSIGNED, VIEW_ALL]
    return [VIEW_MY, VIEW_UNASSIGNED, VIEW_TEAM]


def default_view(user) -> str:
    return VIEW_TEAM if role_of(user) != Role.ADMIN else VIEW_ALL


def _view_condition(user, view: str) -> Q:
    if view == VIEW_MY:
        return Q(assignee=user)
    if view == VIEW_UNASSIGNED:
        return Q(assignee__isnull=True)
    if view == VIEW_TEAM:
        return Q(queue__team_id__in=team_ids_of(user))
    return Q()


def ticket_list_for_user(user, *, view: str, unsolved_only: bool = False) -> QuerySet[Ticket]:
    """The tickets of one view, newest first, with what a list row shows loaded in the same query.

    `unsolved_only`: new, open and pending tickets, the same set `view_counts` counts.
    """
    if view not in views_for(user):
        view = default_view(user)
    tickets = visible_to(user)
    if unsolved_only:
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    return (
        tickets
        .filter(_view_condition(user, view))
        .select_related("customer", "queue", "assignee")
        .defer("description", "search_document")  # the rows never show them; ~1 kB a row saved
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )


# What an agent types for a ticket: "1302", "#1302", "DD-1302", "dd-1302".
_REFERENCE_LIKE = re.compile(r"#?\d{1,18}|[A-Za-z]{1,10}-\d{1,18}")


def exact_reference_match(user, term: str) -> Ticket | None:
    """The ticket `term` names by its reference, if this user may see it (one indexed query, only for
    a term shaped like a reference). The list shows it above the results: newer tickets that merely
    mention the number come first by date, and the ticket may be outside the view or status filter."""
    from tickets.filters import reference_spellings

    term = (term or "").strip()
    if not _REFERENCE_LIKE.fullmatch(term):
        return None
    spellings = reference_spellings(term)
    return visible_to(user).filter(reference__in=spellings).only("pk", "reference", "subject", "status").first()


def view_counts(user) -> dict[str, int]:
    """Unsolved tickets (new, open, pending) per view, in ONE aggregate query.

    Only unsolved tickets are counted: that is the workload an agent acts on, and it stays bounded as
    the history grows (resolved and closed tickets are the bulk of a desk's rows). The list opens on
    the same set (`ticket_list_for_user(unsolved_only=True)`), so a badge and its tab agree.
    """
    views = views_for(user)
    aggregates = {view: Count("pk", filter=_view_condition(user, view)) for view in views}
    return visible_to(user).filter(status__in=Ticket.OPEN_STATUSES).order_by().aggregate(**aggregates)


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap`: COUNT(*) over 100k matches is the slow part of a list.

    `count` is at most cap + 1; `is_capped` says there are more than `cap` matches (shown as "1,000+").
    Pages past the cap are not offered: narrowing the filters is the way there.
    """

    def __init__(self, object_list, per_page, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        # Only ids, no joins for display, no order: the cheapest plan that can stop at cap + 1.
        ids = self.object_list.select_related(None).prefetch_related(None).order_by().values("pk")
        return ids[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        hits = min(self.count, self.cap)
        if hits == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, ceil(hits / self.per_page))


def paginate(queryset: QuerySet, *, page: str | int | None, per_page: int) -> Page:
    return CappedPaginator(queryset, per_page).get_page(page)


@dataclass(frozen=True)
class ListRow:
    """What one row of the list shows, computed once in Python instead of per-row template work."""

    pk: int  # the bulk form's checkbox
    url: str
    reference: str
    subject: str
    tag_names: list[str]
    customer_name: str
    status_label: str
    status_class: str
    priority_label: str
    priority_class: str
    queue_name: str
    assignee_name: str
    updated_at: datetime


_STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}
_PRIORITY_CLASSES = {
    "low": "text-bg-light border",
    "normal": "text-bg-light border",
    "high": "text-bg-warning",
    "urgent": "text-bg-danger",
}
_NEUTRAL_CLASS = "text-bg-light border"


def person_name(user) -> str:
    """A user's full name, or the username when there is none ("" for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def list_rows(tickets) -> list[ListRow]:
    """The display values of a page of tickets (loaded with `ticket_list_for_user`'s joins and prefetch).

    Labels are translated once per request (not once per row and field), the detail URL is reversed
    once and completed per row: rendering a page costs the same small amount whatever its size.
    """
    from django.urls import reverse

    marker = "__reference__"
    url_pattern = reverse("tickets:detail", args=[marker])
    status_labels = {value: str(label) for value, label in Ticket.Status.choices}
    priority_labels = {value: str(label) for value, label in Ticket.Priority.choices}
    rows = []
    for t in tickets:
        rows.append(ListRow(
            pk=t.pk,
            url=url_pattern.replace(marker, t.reference or ""),
            reference=t.reference or "",
            subject=t.subject,
            tag_names=[tag.name for tag in t.tags.all()],
            customer_name=t.customer.name,
            status_label=status_labels.get(t.status, t.status),
            status_class=_STATUS_CLASSES.get(t.status, _NEUTRAL_CLASS),
            priority_label=priority_labels.get(t.priority, t.priority),
            priority_class=_PRIORITY_CLASSES.get(t.priority, _NEUTRAL_CLASS),
            queue_name=t.queue.name,
            assignee_name=person_name(t.assignee),
            updated_at=t.updated_at,
        ))
    return rows


def list_filter_choices(user) -> dict:
    """The options of the list's filter bar: queues the user can see, staff of their teams, tags in use."""
    from django.contrib.auth import get_user_model

    from tickets.models import Tag

    queues = list(queues_visible_to(user).order_by("name"))
    if role_of(user) == Role.ADMIN:
        staff = get_user_model().objects.filter(memberships__isnull=False)
    else:
        staff = get_user_model().objects.filter(memberships__team_id__in=team_ids_of(user))
    staff = list(staff.distinct().order_by("first_name", "last_name", "username")[:200])
    tags = list(Tag.objects.order_by("name").values_list("name", flat=True)[:200])
    return {"queues": queues, "staff": staff, "tags": tags}


# --- The ticket page -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: TicketEvent | None = None

    @property
    def is_message(self) -> bool:
        return self.message is not None

    @property
    def from_label(self) -> str:
        return self.event.from_label if self.event else ""

    @property
    def to_label(self) -> str:
        return self.event.to_label if self.event else ""


def ticket_timeline(user, ticket: Ticket) -> list[TimelineEntry]:
    """Messages and events in one chronological list (two queries plus attachments, whatever the length).

    Customers never get here (the workspace is staff-only), and `messages_visible_to` would hide
    internal notes from them anyway.
    """
    messages = messages_visible_to(user, ticket)
    events = ticket.events.select_related("actor")
    entries = [TimelineEntry(at=m.created_at, message=m) for m in messages]
    entries += [TimelineEntry(at=e.created_at, event=e) for e in events]
    # Events sort before a message written at the same instant: a status change caused by a reply
    # is recorded after the reply, and showing it below the reply reads naturally.
    entries.sort(key=lambda e: (e.at, 0 if e.is_message else 1))
    return entries


def customer_other_tickets(user, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The customer's other tickets that this user may see, newest first."""
    return list(
        visible_to(user)
        .filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .only("reference", "subject", "status", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )


def assignee_choices(ticket: Ticket) -> QuerySet:
    """Who a ticket may be assigned to from its page: members of its team, plus its current assignee
    (an admin who took it without being a member stays selectable)."""
    from django.contrib.auth import get_user_model

    members = Q(memberships__team_id=ticket.queue.team_id)
    if ticket.assignee_id is not None:
        members |= Q(pk=ticket.assignee_id)
    return get_user_model().objects.filter(members).distinct().order_by("first_name", "username")


def macros_for(user, ticket: Ticket) -> QuerySet[Macro]:
    """Canned replies for everyone plus those of the ticket's team."""
    return Macro.objects.filter(Q(team__isnull=True) | Q(team_id=ticket.queue.team_id)).order_by("name")


def can_take(user, ticket: Ticket, *, staff: list) -> bool:
    """Whether the ticket may be assigned to `user` (members of its team, and admins: any ticket), answered
    from the ticket page's already loaded assignee options (no query)."""
    return role_of(user) == Role.ADMIN or any(member.pk == user.pk for member in staff)


def queues_for_create(user) -> QuerySet[Queue]:
    return queues_visible_to(user).order_by("name")
