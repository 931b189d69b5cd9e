"""Authority and approvals: within the limit the agent applies it, above it a supervisor decides."""

import pytest

from escalation import services
from escalation.exceptions import AuthorityExceeded, InvalidRemedy, NotAllowed, RemedyAlreadyDecided, SelfApproval
from escalation.models import Escalation, Notification, Remedy, Trigger
from tests.escalation import factories as esc
from tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits():
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    esc.limit(kind="discount", max_amount=10, role="agent")


def test_remedy_within_the_limit_is_applied_and_logged_on_the_ticket(limits, on_shift, assigned_ticket, agent):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="30", actor=agent)
    assert remedy.state == Remedy.State.APPLIED
    assert not Escalation.objects.exists()
    note = Message.objects.get(ticket=assigned_ticket, kind=Message.Kind.NOTE)
    assert "Remedy applied" in note.body_display


def test_remedy_above_the_limit_waits_for_a_supervisor_and_escalates(limits, on_shift, assigned_ticket, agent,
                                                                     supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount="80", actor=agent)
    assert remedy.state == Remedy.State.PENDING
    escalation = Escalation.objects.get()
    assert (escalation.trigger, escalation.assigned_to, remedy.escalation) == (Trigger.AUTHORITY, supervisor,
                                                                                escalation)
    assert Notification.objects.filter(recipient=supervisor, kind=Notification.Kind.REMEDY_PENDING).exists()


def test_discount_limit_is_in_percent(limits, on_shift, assigned_ticket, agent, supervisor):
    assert services.remedy_propose(ticket=assigned_ticket, kind="discount", amount=10, actor=agent).state == "applied"
    assert services.remedy_propose(ticket=assigned_ticket, kind="discount", amount=15, actor=agent).state == "pending"


def test_kind_without_a_limit_always_needs_approval(limits, on_shift, assigned_ticket, agent, supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="cancellation", amount=0, actor=agent)
    assert remedy.state == Remedy.State.PENDING


def test_personal_queue_limit_beats_the_role_limit(limits, on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=100, user=agent, queue=assigned_ticket.queue)
    assert services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=90, actor=agent).state == "applied"


def test_other_currency_than_the_limit_needs_approval(limits, on_shift, assigned_ticket, agent, supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=5, currency="USD", actor=agent)
    assert remedy.state == Remedy.State.PENDING


@pytest.mark.parametrize("amount", ["-1", "abc", "NaN", "1e20"])
def test_nonsense_amounts_are_refused_with_a_clear_error(limits, assigned_ticket, agent, amount):
    with pytest.raises(InvalidRemedy):
        services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=amount, actor=agent)


def test_discount_over_100_percent_is_refused(limits, assigned_ticket, agent):
    with pytest.raises(InvalidRemedy):
        services.remedy_propose(ticket=assigned_ticket, kind="discount", amount=150, actor=agent)


def test_supervisor_approves_and_the_agent_hears_back_with_the_note(limits, on_shift, assigned_ticket, agent,
                                                                    supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    services.remedy_approve(remedy=remedy, actor=supervisor, note="Fair, they waited two weeks.")
    remedy.refresh_from_db()
    assert (remedy.state, remedy.decided_by, remedy.note) == ("approved", supervisor, "Fair, they waited two weeks.")
    told = Notification.objects.get(recipient=agent, kind=Notification.Kind.REMEDY_DECIDED)
    assert "Fair, they waited two weeks." in told.text
    assert Escalation.objects.get().state == Escalation.State.RESOLVED


def test_supervisor_denies_with_a_note(limits, on_shift, assigned_ticket, agent, supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    services.remedy_deny(remedy=remedy, actor=supervisor, note="Offer a 20 EUR credit instead.")
    remedy.refresh_from_db()
    assert remedy.state == Remedy.State.DENIED
    assert Message.objects.filter(ticket=assigned_ticket, body__contains="Offer a 20 EUR credit").exists()


def test_nobody_approves_their_own_remedy(limits, on_shift, team, queue, customer):
    proposer = esc.supervisor_of(team)
    esc.supervisor_of(team)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    remedy = services.remedy_propose(ticket=ticket, kind="refund", amount=900, actor=proposer)
    assert remedy.state == Remedy.State.PENDING
    with pytest.raises(SelfApproval):
        services.remedy_approve(remedy=remedy, actor=proposer)
    remedy.refresh_from_db()
    assert remedy.state == Remedy.State.PENDING


def test_own_remedy_is_routed_to_someone_else(limits, on_shift, team, queue, customer):
    proposer = esc.supervisor_of(team)
    other = esc.supervisor_of(team)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    remedy = services.remedy_propose(ticket=ticket, kind="refund", amount=900, actor=proposer)
    assert remedy.escalation.assigned_to == other


def test_agent_cannot_approve(limits, on_shift, assigned_ticket, agent, supervisor, team):
    other_agent = esc.agent_in(team)
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    with pytest.raises(NotAllowed):
        services.remedy_approve(remedy=remedy, actor=other_agent)


def test_supervisor_cannot_approve_above_their_own_authority(limits, on_shift, assigned_ticket, agent, supervisor):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=900, actor=agent)
    with pytest.raises(AuthorityExceeded):
        services.remedy_approve(remedy=remedy, actor=supervisor)


def test_admin_may_approve_any_amount(limits, on_shift, assigned_ticket, agent, admin_user):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=900, actor=agent)
    assert services.remedy_approve(remedy=remedy, actor=admin_user).state == Remedy.State.APPROVED


def test_a_decided_remedy_cannot_be_decided_again(limits, on_shift, assigned_ticket, agent, supervisor, admin_user):
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    services.remedy_deny(remedy=remedy, actor=supervisor)
    with pytest.raises(RemedyAlreadyDecided):
        services.remedy_approve(remedy=remedy, actor=admin_user)

