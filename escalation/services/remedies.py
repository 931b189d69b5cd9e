"""Remedies and authority: within the limit the agent applies it; above, a supervisor decides (D6)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from escalation.exceptions import AuthorityExceeded, InvalidRemedy, NotAllowed, RemedyAlreadyDecided, SelfApproval
from escalation.models import AuthorityLimit, Escalation, EscalationEvent, Notification, Remedy, RemedyKind, Trigger
from escalation.phrases import person
from escalation.phrases import remedy as remedy_phrase
from escalation.services.escalations import escalation_raise
from escalation.services.lifecycle import escalation_transition, history_add
from escalation.services.notifications import notify
from helpdesk.phrases import Phrase, phrase
from tickets import services as ticket_services
from tickets.models import Message, Ticket
from tickets.roles import STAFF_ROLES, Role, role_of


def authority_limit_for(*, user, queue_id: int | None, kind: str) -> AuthorityLimit | None:
    """The most specific limit: person+queue, person, role+queue, role. None = no authority."""
    role = role_of(user)
    limits = list(
        AuthorityLimit.objects.filter(kind=kind)
        .filter(Q(user=user) | Q(role=role.value if role else "-", user__isnull=True))
        .filter(Q(queue_id=queue_id) | Q(queue__isnull=True))
    )
    limits.sort(key=lambda limit: (limit.user_id is None, limit.queue_id is None))
    return limits[0] if limits else None


def _within(limit: AuthorityLimit | None, kind: str, amount: Decimal, currency: str) -> bool:
    if limit is None:
        return False
    if kind != RemedyKind.DISCOUNT and limit.currency.upper() != currency.upper():
        return False
    return amount <= limit.max_amount


def _describe(remedy: Remedy) -> Phrase:
    return remedy_phrase(remedy.kind, remedy.amount, remedy.unit)


def _clean_amount(kind: str, amount, currency: str) -> Decimal:
    if kind not in RemedyKind.values:
        raise InvalidRemedy(problem=_("unknown kind"))
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidRemedy(problem=_("the amount is not a number")) from exc
    if not value.is_finite() or value < 0 or value >= Decimal("100000000"):
        raise InvalidRemedy(problem=_("the amount must be zero or more"))
    if kind == RemedyKind.DISCOUNT and value > 100:
        raise InvalidRemedy(problem=_("a discount is a percentage of at most 100"))
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidRemedy(problem=_("the currency must be a three-letter code"))
    return value.quantize(Decimal("0.01"))


def remedy_propose(*, ticket: Ticket, kind: str, amount, actor, currency: str = "EUR", reason: str = "",
                   now=None) -> Remedy:
    """Apply a remedy within the actor's authority, or hold it for a supervisor's approval."""
    if role_of(actor) not in STAFF_ROLES:
        raise NotAllowed()
    if ticket.status == Ticket.Status.CLOSED:
        raise InvalidRemedy(problem=_("the ticket is closed"))
    now = now or timezone.now()
    currency = (currency or "EUR").upper()
    value = _clean_amount(kind, amount, currency)
    limit = authority_limit_for(user=actor, queue_id=ticket.queue_id, kind=kind)
    within = _within(limit, kind, value, currency)
    with transaction.atomic():
        remedy = Remedy.objects.create(
            ticket=ticket, kind=kind, amount=value, currency=currency, reason=reason.strip(), proposed_by=actor,
            state=Remedy.State.APPLIED if within else Remedy.State.PENDING,
            limit_amount=limit.max_amount if limit else None, created_at=now,
        )
        if within:
            said = phrase("escalation.remedy.applied", remedy=_describe(remedy), name=person(actor),
                          limit=limit.max_amount)
        else:
            said = phrase("escalation.remedy.proposed", remedy=_describe(remedy),
                          limit=limit.max_amount if limit else phrase("escalation.remedy.no_authority"))
        ticket_services.message_add(ticket=ticket, kind=Message.Kind.NOTE, author_user=actor, body=remedy.reason,
                                    phrase=said)
        if not within:
            escalation, _created = escalation_raise(
                ticket=ticket, trigger=Trigger.AUTHORITY, actor=actor, reason_code=Escalation.Reason.NEEDS_AUTHORITY,
                reason_phrase=phrase("escalation.reason.remedy_needs_approval", remedy=_describe(remedy)),
                remedy=remedy, now=now,
            )
            if escalation is not None and escalation.assigned_to_id:
                notify(key=f"remedy_pending:{remedy.pk}", recipient=escalation.assigned_to,
                       kind=Notification.Kind.REMEDY_PENDING, ticket=ticket, escalation=escalation, remedy=remedy,
                       phrase=said, text=remedy.reason)
    return remedy


def _check_approver(remedy: Remedy, actor) -> None:
    if actor.pk == remedy.proposed_by_id:
        raise SelfApproval()
    role = role_of(actor)
    if role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotAllowed()
    if role == Role.ADMIN:
        return
    limit = authority_limit_for(user=actor, queue_id=remedy.ticket.queue_id, kind=remedy.kind)
    if not _within(limit, remedy.kind, remedy.amount, remedy.currency):
        raise AuthorityExceeded(limit=f"{limit.max_amount} {remedy.unit}" if limit else _("none"))


@transaction.atomic
def remedy_decide(*, remedy: Remedy, actor, approve: bool, note: str = "", now=None) -> Remedy:
    """Approve or deny a pending remedy; the answer goes back to the proposer with the note."""
    now = now or timezone.now()
    remedy = (
        Remedy.objects.select_for_update(of=("self",)).select_related("ticket__queue", "proposed_by")
        .get(pk=remedy.pk)
    )
    if remedy.state != Remedy.State.PENDING:
        raise RemedyAlreadyDecided()
    _check_approver(remedy, actor)
    remedy.state = Remedy.State.APPROVED if approve else Remedy.State.DENIED
    remedy.decided_by = actor
    remedy.decided_at = now
    remedy.note = note.strip()
    remedy.save(update_fields=["state", "decided_by", "decided_at", "note"])
    said = phrase("escalation.remedy.approved" if approve else "escalation.remedy.denied", name=person(actor),
                  remedy=_describe(remedy))
    if remedy.ticket.status != Ticket.Status.CLOSED:
        ticket_services.message_add(ticket=remedy.ticket, kind=Message.Kind.NOTE, author_user=actor,
                                    body=remedy.note, phrase=said)
    escalation = Escalation.objects.select_for_update(of=("self",)).filter(pk=remedy.escalation_id).first()
    if escalation is not None:
        history_add(
            escalation, EscalationEvent.Kind.REMEDY_APPROVED if approve else EscalationEvent.Kind.REMEDY_DENIED,
            actor=actor, phrase=said, note=remedy.note, now=now,
        )
        still_pending = Remedy.objects.filter(escalation=escalation, state=Remedy.State.PENDING).exists()
        if escalation.is_open and escalation.trigger == Trigger.AUTHORITY and not still_pending:
            # The authority it was raised for has answered: it closes, in the decision's words.
            escalation_transition(escalation, to_state=Escalation.State.RESOLVED, actor=actor, now=now,
                                  phrase=said, note=remedy.note)
    notify(key=f"remedy_decided:{remedy.pk}", recipient=remedy.proposed_by, kind=Notification.Kind.REMEDY_DECIDED,
           ticket=remedy.ticket, remedy=remedy, escalation=escalation, phrase=said, text=remedy.note)
    return remedy


def remedy_approve(*, remedy: Remedy, actor, note: str = "", now=None) -> Remedy:
    return remedy_decide(remedy=remedy, actor=actor, approve=True, note=note, now=now)


def remedy_deny(*, remedy: Remedy, actor, note: str = "", now=None) -> Remedy:
    return remedy_decide(remedy=remedy, actor=actor, approve=False, note=note, now=now)
