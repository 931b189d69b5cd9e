"""The ticket life cycle: one table of allowed transitions, one function that applies it.

Concurrency is optimistic: every change of a ticket's fields is
`UPDATE ... WHERE id = %s AND version = %s`; zero rows means someone else changed it first.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Team
from accounts.selectors import works_in_team
from accounts.services import team_get_or_create
from tickets import events, follow_up
from tickets.exceptions import IllegalTransition, InvalidAssignee, MessageTooLong, StaleTicket, TicketClosed
from tickets.models import Queue, Tag, Ticket, TicketEvent
from tickets.services.search import customer_search_words, search_document

User = get_user_model()
Status = Ticket.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def allowed_transitions(ticket: Ticket) -> list[str]:
    return [status for status in Status.values if status in TRANSITIONS[ticket.status]]


def _next_reference(ticket: Ticket) -> str:
    return f"{settings.TICKET_REFERENCE_PREFIX}-{ticket.pk + 1000}"


def _save_versioned(ticket: Ticket, expected_version: int | None, **changes) -> None:
    """Write `changes` only if the ticket is still at `expected_version`; bump the version."""
    version = ticket.version if expected_version is None else expected_version
    now = timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, version=version).update(
        **changes, updated_at=now, version=F("version") + 1
    )
    if updated == 0:
        raise StaleTicket()
    for field, value in changes.items():
        setattr(ticket, field, value)
    ticket.updated_at = now
    ticket.version = version + 1


def _record(ticket: Ticket, kind: str, actor: User | None, from_value="", to_value="", reason="", at=None,
            reason_phrase=None) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_value=str(from_value or "")[:200],
        to_value=str(to_value or "")[:200], reason=reason[:500], reason_phrase=reason_phrase or None,
        created_at=at or timezone.now(),
    )


def default_queue() -> Queue:
    """The queue new tickets go to: the one marked default, else the oldest. A desk with no queue at
    all (a fresh installation, before anyone used the admin) gets one, so that the first email or web
    ticket is not lost: a team and a queue named in the desk's language, marked default."""
    queue = Queue.objects.filter(is_default=True).first() or Queue.objects.order_by("pk").first()
    if queue is not None:
        return queue
    with translation.override(settings.LANGUAGE_CODE):
        team_name, queue_name = str(_("Support")), str(_("General"))
    with transaction.atomic():
        team = Team.objects.order_by("pk").first() or team_get_or_create(slug="support", name=team_name)
        return Queue.objects.get_or_create(slug="general", defaults={
            "team": team, "name": queue_name, "is_default": True})[0]


def message_max_length() -> int:
    """The longest message text on every channel (MESSAGE_MAX_LENGTH): forms, API, email, services."""
    return settings.MESSAGE_MAX_LENGTH


def check_message_length(text: str) -> None:
    """Refuse a description or message body longer than MESSAGE_MAX_LENGTH (the forms and the API
    say so first; this is the rule itself, for every caller)."""
    if len(text) > message_max_length():
        raise MessageTooLong(length=len(text), limit=message_max_length())


@transaction.atomic
def ticket_create(
    *,
    customer: Customer,
    subject: str,
    description: str,
    channel: str = Ticket.Channel.WEB,
    queue: Queue | None = None,
    priority: str = Ticket.Priority.NORMAL,
    kind: str = Ticket.Kind.QUESTION,
    language: str | None = None,
    actor: User | None = None,
    tags: Iterable[str] = (),
    created_at=None,
) -> Ticket:
    """Open a ticket. The one way in for the web form, email, the API and agents on the phone."""
    check_message_length(description)
    ticket = Ticket.objects.create(
        subject=subject.strip()[:200],
        description=description,
        customer=customer,
        queue=queue or default_queue(),
        priority=priority,
        kind=kind,
        channel=channel,
        language=language or customer.language,
        created_at=created_at or timezone.now(),
        updated_at=created_at or timezone.now(),
        search_document=search_document(*customer_search_words(customer), subject.strip()[:200], description),
    )
    ticket.reference = _next_reference(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(reference=ticket.reference)
    if tags:
        ticket.tags.set(_tags_named(tags))
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=actor,
                               to_value=channel, created_at=ticket.created_at)
    events.publish(events.ticket_created, ticket_id=ticket.pk, actor_id=getattr(actor, "pk", None))
    return ticket


def _tags_named(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({n.strip().lower()[:50] for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    return [existing.get(name) or Tag.objects.get_or_create(name=name)[0] for name in cleaned]


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: str,
    actor: User | None,
    expected_version: int | None = None,
    reason: str = "",
    no_follow_up_reason: str = "",
    at=None,
    reason_phrase=None,
) -> Ticket:
    """Move a ticket to `to_status` if the life cycle allows it; record it; publish it after commit.

    `reason` is what a person typed; `reason_phrase` the desk's own reason (a `helpdesk.phrases` value,
    shown in the reader's language). `no_follow_up_reason`: with a resolution, resolve without the
    follow-up other apps make with the customer, for this reason (`tickets.follow_up`). `at` backdates the
    change (demo data and imports); everything else uses now.
    """
    from_status = ticket.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            from_status=Status(from_status).label if from_status in Status.values else from_status,
            to_status=Status(to_status).label if to_status in Status.values else to_status,
        )
    now = at or timezone.now()
    reopening = from_status == Status.RESOLVED and to_status == Status.OPEN
    _save_versioned(ticket, expected_version,
                    **_status_columns(from_status, to_status, now, reopen_count=ticket.reopen_count + 1))
    _record(ticket, TicketEvent.Kind.REOPENED if reopening else TicketEvent.Kind.STATUS, actor,
            from_status, to_status, reason, at=now, reason_phrase=reason_phrase)
    change = events.StatusChange(ticket_id=ticket.pk, from_status=from_status, to_status=to_status,
                                 reopening=reopening,
                                 no_follow_up_reason=_no_follow_up_reason(to_status, no_follow_up_reason))
    _announce((change,), actor=actor, at=now)
    return ticket


def _no_follow_up_reason(to_status: str, reason: str) -> str:
    """Only a resolution is followed up; a reason given with any other change means nothing."""
    return follow_up.clean_reason(reason) if to_status == Status.RESOLVED else ""


@dataclass(frozen=True)
class BulkTransition:
    """What `tickets_transition` did: the tickets it changed and those it left as they were."""

    changed: list[int]
    unchanged: list[int]  # not found, or their status does not allow the change (already there, closed...)


@transaction.atomic
def tickets_transition(
    *,
    ticket_ids: Sequence[int],
    to_status: str,
    actor: User | None,
    reason: str = "",
    no_follow_up_reason: str = "",
    at=None,
) -> BulkTransition:
    """Move many tickets to `to_status` at once (an agent's "resolve selected", an outage closed).

    The same life cycle, events and signals as `ticket_transition`, written set-wise: the tickets are
    locked in id order, updated with one statement per from-status, their events inserted in one
    statement, and the in-transaction signal carries them all, so other apps' outbox rows and the SLA
    outcome are written set-wise too. A ticket whose status does not allow the change is left alone
    and reported in `unchanged`, never an error: the agent's selection may be a minute old.
    Visibility is the caller's: pass ids the actor may see (`tickets.selectors.visible_to`).
    """
    now = at or timezone.now()
    wanted = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    from_states = [status for status, targets in TRANSITIONS.items() if to_status in targets]
    current = dict(
        Ticket.objects.select_for_update().filter(pk__in=wanted, status__in=from_states)
        .order_by("pk").values_list("pk", "status")
    )
    by_status: dict[str, list[int]] = {}
    for pk, status in current.items():
        by_status.setdefault(status, []).append(pk)
    for from_status, pks in by_status.items():
        Ticket.objects.filter(pk__in=pks, status=from_status).update(
            **_status_columns(from_status, to_status, now), updated_at=timezone.now(), version=F("version") + 1
        )
    no_follow_up_reason = _no_follow_up_reason(to_status, no_follow_up_reason)
    changes = tuple(
        events.StatusChange(ticket_id=pk, from_status=status, to_status=to_status,
                            reopening=status == Status.RESOLVED and to_status == Status.OPEN,
                            no_follow_up_reason=no_follow_up_reason)
        for pk, status in current.items()
    )
    actor_id = getattr(actor, "pk", None)
    TicketEvent.objects.bulk_create([
        TicketEvent(ticket_id=change.ticket_id, actor_id=actor_id,
                    kind=TicketEvent.Kind.REOPENED if change.reopening else TicketEvent.Kind.STATUS,
                    from_value=change.from_status, to_value=to_status, reason=reason[:500], created_at=now)
        for change in changes
    ])
    if changes:
        _announce(changes, actor=actor, at=now)
    return BulkTransition(changed=list(current), unchanged=[pk for pk in wanted if pk not in current])


def _status_columns(from_status: str, to_status: str, now, reopen_count=None) -> dict:
    """The columns a move from `from_status` to `to_status` writes. `reopen_count` is the new count
    (one ticket) or, by default, an expression (set-wise)."""
    columns: dict = {"status": to_status}
    if to_status == Status.RESOLVED:
        columns["resolved_at"] = now
    if to_status == Status.CLOSED:
        columns["closed_at"] = now
    if from_status == Status.RESOLVED and to_status == Status.OPEN:
        columns["reopen_count"] = F("reopen_count") + 1 if reopen_count is None else reopen_count
        columns["resolved_at"] = None
    return columns


def _announce(changes: tuple[events.StatusChange, ...], *, actor: User | None, at) -> None:
    """The signals of status changes: all of them inside the transaction, then one per ticket after commit."""
    actor_id = getattr(actor, "pk", None)
    events.send_in_transaction(events.ticket_statuses_changing, changes=changes, actor_id=actor_id, at=at)
    for change in changes:
        ticket_id, from_status, to_status = change.ticket_id, change.from_status, change.to_status
        events.publish(events.ticket_status_changed, ticket_id=ticket_id, actor_id=actor_id,
                       from_status=from_status, to_status=to_status, at=at)
        if to_status == Status.CLOSED:
            events.publish(events.ticket_closed, ticket_id=ticket_id, actor_id=actor_id, automatic=actor is None)
        elif change.reopening:
            events.publish(events.ticket_reopened, ticket_id=ticket_id, actor_id=actor_id)


def _may_be_assigned(user: User, team_id: int) -> bool:
    """Tickets go to members of their queue's team; admins may take (or be given) any ticket.

    An admin is not made a member by taking a ticket: membership is a team role (rosters, escalation
    recipients, team reports), and an admin already sees every ticket.
    """
    return works_in_team(user, team_id)


def _check_assignee(ticket: Ticket, assignee: User | None, queue: Queue) -> None:
    if assignee is None:
        return
    if not _may_be_assigned(assignee, queue.team_id):
        raise InvalidAssignee(user=assignee.get_full_name() or assignee.get_username())


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User | None,
                  expected_version: int | None = None) -> Ticket:
    if ticket.assignee_id == getattr(assignee, "pk", None):
        return ticket
    _check_assignee(ticket, assignee, ticket.queue)
    previous = ticket.assignee
    _save_versioned(ticket, expected_version, assignee=assignee)
    _record(ticket, TicketEvent.Kind.ASSIGNEE, actor, _display(previous), _display(assignee))
    events.publish(events.ticket_assigned, ticket_id=ticket.pk, actor_id=getattr(actor, "pk", None),
                   assignee_id=getattr(assignee, "pk", None), previous_assignee_id=getattr(previous, "pk", None))
    return ticket


_UNSET = object()


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User | None,
    expected_version: int | None = None,
    status: str | None = None,
    priority: str | None = None,
    kind: str | None = None,
    queue: Queue | None = None,
    assignee=_UNSET,
    tags: Iterable[str] | None = None,
    no_follow_up_reason: str = "",
) -> Ticket:
    """Apply several field changes at once, each recorded, all refused if the ticket is stale.

    `no_follow_up_reason`: with a move to resolved, resolve without the follow-up (as `ticket_transition`).
    """
    if ticket.status == Status.CLOSED:
        raise TicketClosed()
    version = ticket.version if expected_version is None else expected_version
    if ticket.version != version:
        raise StaleTicket()
    changes: dict = {}
    if priority and priority != ticket.priority:
        _record(ticket, TicketEvent.Kind.PRIORITY, actor, ticket.priority, priority)
        changes["priority"] = priority
    if kind and kind != ticket.kind:
        _record(ticket, TicketEvent.Kind.KIND, actor, ticket.kind, kind)
        changes["kind"] = kind
    if queue is not None and queue.pk != ticket.queue_id:
        _record(ticket, TicketEvent.Kind.QUEUE, actor, ticket.queue, queue)
        changes["queue"] = queue
        if assignee is _UNSET and ticket.assignee is not None and not _may_be_assigned(
            ticket.assignee, queue.team_id
        ):
            assignee = None  # moved to another team: the assignee could no longer even see the ticket
    if changes:
        _save_versioned(ticket, version, **changes)
        version = ticket.version
        events.publish(events.ticket_changed, ticket_id=ticket.pk, actor_id=getattr(actor, "pk", None),
                       fields=sorted(changes))
    if assignee is not _UNSET:
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor, expected_version=version)
        version = ticket.version
    if tags is not None:
        _set_tags(ticket, tags, actor, version)
        version = ticket.version
    if status and status != ticket.status:
        ticket_transition(ticket=ticket, to_status=status, actor=actor, expected_version=version,
                          no_follow_up_reason=no_follow_up_reason)
    return ticket


def _set_tags(ticket: Ticket, names: Iterable[str], actor: User | None, version: int) -> None:
    new_tags = _tags_named(names)
    before = sorted(ticket.tags.values_list("name", flat=True))
    after = sorted(t.name for t in new_tags)
    if before == after:
        return
    _save_versioned(ticket, version)
    ticket.tags.set(new_tags)
    _record(ticket, TicketEvent.Kind.TAGS, actor, ", ".join(before), ", ".join(after))


def _display(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
