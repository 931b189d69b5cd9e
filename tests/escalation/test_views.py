"""The supervisor's inbox and the escalation pages, through the test client."""

import pytest
from django.urls import reverse

from escalation import services
from escalation.models import Escalation, Remedy, Trigger
from tests.escalation import factories as esc
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def escalate(ticket, actor=None, **kwargs):
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=actor,
                                              reason_text=kwargs.pop("reason_text", "help"), **kwargs)
    return escalation


def test_inbox_lists_escalations_with_reason_and_customer(client, on_shift, assigned_ticket, agent, supervisor):
    escalate(assigned_ticket, agent, reason_text="Needs a refund above my limit")
    client.force_login(supervisor)
    response = client.get(reverse("escalation:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Needs a refund above my limit" in body
    assert assigned_ticket.customer.name in body


def test_inbox_query_count_is_flat_as_escalations_grow(client, on_shift, queue, customer, supervisor,
                                                       django_assert_max_num_queries):
    client.force_login(supervisor)
    counts = []
    for n in (2, 20):
        while Escalation.objects.count() < n:
            escalate(esc.TicketFactory(queue=queue, customer=customer))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escalation:inbox")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(reverse("escalation:inbox"))


def test_inbox_shows_service_recovery_before_a_clock_and_the_rating(client, on_shift, queue, customer, supervisor):
    clock = esc.TicketFactory(queue=queue, customer=customer, subject="Clock ticket")
    services.escalation_raise(ticket=clock, trigger=Trigger.SLA_RESOLUTION)
    unhappy = esc.TicketFactory(queue=queue, customer=customer, subject="Unhappy ticket")
    services.escalation_raise(ticket=unhappy, trigger=Trigger.SERVICE_RECOVERY,
                              rating={"stars": 1, "comment": "Awful wait", "rating_id": 3})
    client.force_login(supervisor)
    body = client.get(reverse("escalation:inbox")).content.decode()
    assert body.index("Unhappy ticket") < body.index("Clock ticket")
    assert "Awful wait" in body


def test_customers_get_the_desks_403_on_every_escalation_page(client, on_shift, assigned_ticket, agent, supervisor,
                                                              customer_user):
    """The same refusal as /tickets/ gives a customer (accounts.permissions.role_required), not a 404."""
    escalation = escalate(assigned_ticket, agent)
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=10, actor=agent)
    client.force_login(customer_user)
    for url in (
        reverse("escalation:detail", args=[escalation.pk]),
        reverse("escalation:ticket_escalate", args=[assigned_ticket.reference]),
        reverse("escalation:ticket_remedy", args=[assigned_ticket.reference]),
        reverse("escalation:inbox"),
        reverse("reports:escalation_measures"),
        reverse("escalation:remedies"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert [t.name for t in response.templates][:1] == ["403.html"], url
    assert client.get(reverse("tickets:list")).status_code == 403
    assert client.post(reverse("escalation:remedy_decide", args=[remedy.pk]), {"decision": "approve"}).status_code \
        == 403
    assert client.post(reverse("escalation:act", args=[escalation.pk, "resolve"])).status_code == 403


def test_agents_get_403_on_the_supervisor_pages(client, on_shift, agent):
    client.force_login(agent)
    for url in (reverse("escalation:inbox"), reverse("reports:escalation_measures")):
        assert client.get(url).status_code == 403, url


def test_supervisor_of_another_team_gets_404_on_the_escalation(client, on_shift, assigned_ticket, agent):
    escalation = escalate(assigned_ticket, agent)
    stranger = esc.supervisor_of(esc.factories.TeamFactory())
    client.force_login(stranger)
    assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 404
    assert client.post(reverse("escalation:act", args=[escalation.pk, "acknowledge"])).status_code == 404


def test_acknowledge_then_return_with_guidance_without_javascript(client, on_shift, assigned_ticket, agent,
                                                                  supervisor):
    escalation = escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    response = client.post(reverse("escalation:act", args=[escalation.pk, "acknowledge"]))
    assert response.status_code == 302
    response = client.post(reverse("escalation:act", args=[escalation.pk, "return"]),
                           {"return-guidance": "Offer the 20 EUR credit; it is within your limit."})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.RETURNED
    assert escalation.acknowledged_at is not None
    kinds = list(escalation.events.values_list("kind", flat=True))
    assert kinds == ["raised", "routed", "acknowledged", "coached"]


def test_return_without_guidance_keeps_the_page_and_says_why(client, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    response = client.post(reverse("escalation:act", args=[escalation.pk, "return"]), {"return-guidance": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.OPEN


def test_htmx_action_returns_the_partial(client, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    response = client.post(reverse("escalation:act", args=[escalation.pk, "resolve"]), {"resolve-note": "Called them."},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="escalation-detail"' in response.content.decode()
    assert "<html" not in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.RESOLVED


def test_take_over_assigns_the_ticket_to_the_supervisor(client, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    client.post(reverse("escalation:act", args=[escalation.pk, "take_over"]))
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.assignee == supervisor


def test_reassign_to_another_supervisor(client, on_shift, team, assigned_ticket, agent, supervisor):
    other = esc.supervisor_of(team)
    escalation = escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    target = other if escalation.assigned_to == supervisor else supervisor
    client.post(reverse("escalation:act", args=[escalation.pk, "reassign"]), {"reassign-to_user": target.pk})
    escalation.refresh_from_db()
    assert escalation.assigned_to == target
    assert "Reassigned by" in escalation.routing_explanation


def test_action_on_a_closed_escalation_is_refused_with_a_message(client, on_shift, assigned_ticket, agent,
                                                                 supervisor):
    escalation = escalate(assigned_ticket, agent)
    services.escalation_resolve(escalation=escalation, actor=supervisor)
    client.force_login(supervisor)
    response = client.post(reverse("escalation:act", args=[escalation.pk, "acknowledge"]))
    assert response.status_code == 409
    assert "already closed" in response.content.decode()


def test_agent_cannot_act_on_an_escalation(client, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    client.force_login(agent)
    assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 200
    assert client.post(reverse("escalation:act", args=[escalation.pk, "resolve"])).status_code == 403
    escalation.refresh_from_db()
    assert escalation.is_open


def test_agent_escalates_from_the_ticket_page_form(client, on_shift, assigned_ticket, agent, supervisor):
    client.force_login(agent)
    response = client.post(reverse("escalation:ticket_escalate", args=[assigned_ticket.reference]),
                           {"reason_code": "technical_depth", "reason_text": "Database corruption", "tried": "Reindex"})
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.reason_code, escalation.raised_by, escalation.assigned_to) == (
        "technical_depth", agent, supervisor)


def test_escalate_form_with_errors_keeps_what_was_typed(client, on_shift, assigned_ticket, agent):
    client.force_login(agent)
    response = client.post(reverse("escalation:ticket_escalate", args=[assigned_ticket.reference]),
                           {"reason_code": "nonsense", "reason_text": "My careful words"})
    assert response.status_code == 400
    assert "My careful words" in response.content.decode()
    assert not Escalation.objects.exists()


def test_remedy_form_rejects_bad_amount_without_a_500(client, on_shift, assigned_ticket, agent):
    client.force_login(agent)
    response = client.post(reverse("escalation:ticket_remedy", args=[assigned_ticket.reference]),
                           {"kind": "refund", "amount": "lots", "currency": "EUR", "reason": "Broken vase"})
    assert response.status_code == 400
    assert "Broken vase" in response.content.decode()


def test_supervisor_decides_a_remedy_in_the_browser(client, on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    client.force_login(supervisor)
    response = client.post(reverse("escalation:remedy_decide", args=[remedy.pk]),
                           {"decision": "approve", "note": "Go ahead"})
    assert response.status_code == 302
    remedy.refresh_from_db()
    assert remedy.state == Remedy.State.APPROVED


def test_self_approval_in_the_browser_shows_the_reason(client, on_shift, team, queue, customer):
    proposer = esc.supervisor_of(team)
    esc.supervisor_of(team)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    remedy = services.remedy_propose(ticket=ticket, kind="refund", amount=80, actor=proposer)
    client.force_login(proposer)
    response = client.post(reverse("escalation:remedy_decide", args=[remedy.pk]), {"decision": "approve"})
    assert response.status_code == 400
    assert "Nobody approves their own remedy" in response.content.decode()


def test_ticket_page_shows_the_panel_with_the_button(client, on_shift, assigned_ticket, agent):
    client.force_login(agent)
    response = client.get(reverse("tickets:detail", args=[assigned_ticket.reference]))
    assert response.status_code == 200
    assert "Get someone who can" in response.content.decode()


def test_nav_badge_counts_open_escalations_routed_to_me(client, on_shift, assigned_ticket, agent, supervisor):
    escalate(assigned_ticket, agent)
    client.force_login(supervisor)
    response = client.get(reverse("reports:escalation_measures"))
    assert response.context["escalation_count"] == 1


def test_agents_remedy_page_clears_their_badge(client, on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    services.remedy_deny(remedy=remedy, actor=supervisor, note="No")
    client.force_login(agent)
    assert client.get(reverse("tickets:list")).context["escalation_count"] == 1
    client.get(reverse("escalation:remedies"))
    assert client.get(reverse("tickets:list")).context["escalation_count"] == 0


def test_closed_ticket_cannot_get_a_remedy(client, on_shift, assigned_ticket, agent):
    Ticket.objects.filter(pk=assigned_ticket.pk).update(status=Ticket.Status.CLOSED)
    client.force_login(agent)
    response = client.post(reverse("escalation:ticket_remedy", args=[assigned_ticket.reference]),
                           {"kind": "refund", "amount": "5", "currency": "EUR"})
    assert response.status_code == 400


def test_detail_of_an_automatic_escalation_without_agent_renders(client, on_shift, ticket, supervisor):
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=Trigger.SLA_FIRST_RESPONSE)
    client.force_login(supervisor)
    response = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert response.status_code == 200
    assert "First-response target breached" in response.content.decode()


def test_user_text_is_escaped(client, on_shift, assigned_ticket, agent, supervisor):
    escalate(assigned_ticket, agent, reason_text="<script>alert(1)</script>")
    client.force_login(supervisor)
    for url in (reverse("escalation:inbox"), reverse("escalation:detail", args=[Escalation.objects.get().pk])):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body


def test_detail_shows_the_tickets_sla_clocks(client, on_shift, queue, customer, supervisor,
                                             django_capture_on_commit_callbacks):
    from tests.factories import TicketFactory

    esc.sla_policy(queue=queue, priority="normal", first_response_hours=8, resolution_hours=40)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory(queue=queue, customer=customer)
    escalation, _ = services.escalation_raise(ticket=ticket, trigger=Trigger.SLA_FIRST_RESPONSE)
    client.force_login(supervisor)
    body = client.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    assert "SLA clocks" in body
    assert 'data-sla-clock="first_response" data-sla-state="running"' in body
