"""The escalation API: same services as the pages; customers get 404 on all of it; in the schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from escalation import services
from escalation.models import Escalation, Remedy, Trigger
from tests.escalation import factories as esc

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def escalate(ticket, actor=None):
    return services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=actor, reason_text="help")[0]


def test_manual_trigger_through_the_api(api, on_shift, assigned_ticket, agent, supervisor):
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{assigned_ticket.reference}/escalate/",
                        {"reason_code": "policy_exception", "reason_text": "Wants a refund after 60 days",
                         "tried": "Explained the policy"}, format="json")
    assert response.status_code == 201
    assert response.data["assigned_to"]["id"] == supervisor.pk
    assert response.data["routing_explanation"]
    again = api.post(f"/api/v1/tickets/{assigned_ticket.reference}/escalate/",
                     {"reason_code": "other", "reason_text": "Still waiting"}, format="json")
    assert again.status_code == 200
    assert again.data["id"] == response.data["id"]
    assert Escalation.objects.count() == 1


def test_escalate_with_bad_input_answers_400_with_the_error_contract(api, assigned_ticket, agent):
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{assigned_ticket.reference}/escalate/", {"reason_code": "x"},
                        format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"


def test_list_filters_by_state_and_trigger(api, on_shift, queue, customer, supervisor):
    first = escalate(esc.TicketFactory(queue=queue, customer=customer))
    escalate(esc.TicketFactory(queue=queue, customer=customer))
    services.escalation_resolve(escalation=first, actor=supervisor)
    api.force_authenticate(supervisor)
    response = api.get("/api/v1/escalations/", {"state": "resolved"})
    assert [row["id"] for row in response.data["results"]] == [first.pk]
    assert api.get("/api/v1/escalations/", {"trigger": "complaint"}).data["count"] == 0
    assert api.get("/api/v1/escalations/", {"open": "true"}).data["count"] == 1


def test_list_query_count_is_flat(api, on_shift, queue, customer, supervisor):
    api.force_authenticate(supervisor)
    api.get("/api/v1/escalations/")  # the user's role is memoised on the first request
    counts = []
    for n in (2, 15):
        while Escalation.objects.count() < n:
            escalate(esc.TicketFactory(queue=queue, customer=customer))
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/escalations/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_retrieve_includes_the_history(api, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    api.force_authenticate(supervisor)
    data = api.get(f"/api/v1/escalations/{escalation.pk}/").data
    assert [e["kind"] for e in data["events"]] == ["raised", "routed"]


def test_actions_through_the_api(api, on_shift, team, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    api.force_authenticate(supervisor)
    assert api.post(f"/api/v1/escalations/{escalation.pk}/acknowledge/").data["state"] == "acknowledged"
    response = api.post(f"/api/v1/escalations/{escalation.pk}/return/", {"guidance": "Call them back."},
                        format="json")
    assert response.data["state"] == "returned"
    assert response.data["guidance"] == "Call them back."
    again = api.post(f"/api/v1/escalations/{escalation.pk}/resolve/")
    assert (again.status_code, again.data["code"]) == (409, "escalation_closed")


def test_reassign_to_someone_who_cannot_handle_it_is_refused(api, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    api.force_authenticate(supervisor)
    response = api.post(f"/api/v1/escalations/{escalation.pk}/reassign/", {"to_user": agent.pk}, format="json")
    assert (response.status_code, response.data["code"]) == (400, "invalid_handler")


def test_remedy_propose_and_approve_through_the_api(api, on_shift, assigned_ticket, agent, supervisor):
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="refund", max_amount=500, role="supervisor")
    api.force_authenticate(agent)
    url = f"/api/v1/tickets/{assigned_ticket.reference}/remedies/"
    applied = api.post(url, {"kind": "refund", "amount": "20.00"}, format="json")
    pending = api.post(url, {"kind": "refund", "amount": "200.00", "reason": "Lost parcel"}, format="json")
    assert (applied.status_code, applied.data["state"]) == (201, "applied")
    assert pending.data["state"] == "pending"
    assert api.get(url).data["count"] == 2
    refused = api.post(f"{url}{pending.data['id']}/approve/", {"note": "self"}, format="json")
    assert refused.status_code == 403  # agents read remedies, but cannot decide them
    api.force_authenticate(supervisor)
    decided = api.post(f"{url}{pending.data['id']}/approve/", {"note": "OK"}, format="json")
    assert (decided.status_code, decided.data["state"]) == (200, "approved")


def test_self_approval_through_the_api_is_refused_with_its_code(api, on_shift, team, queue, customer):
    proposer = esc.supervisor_of(team)
    esc.supervisor_of(team)
    ticket = esc.TicketFactory(queue=queue, customer=customer)
    remedy = services.remedy_propose(ticket=ticket, kind="refund", amount=80, actor=proposer)
    api.force_authenticate(proposer)
    response = api.post(f"/api/v1/tickets/{ticket.reference}/remedies/{remedy.pk}/approve/")
    assert (response.status_code, response.data["code"]) == (403, "self_approval")
    remedy.refresh_from_db()
    assert remedy.state == Remedy.State.PENDING


def test_customers_get_404_on_all_of_the_escalation_api(api, on_shift, assigned_ticket, agent, supervisor,
                                                        customer_user):
    escalation = escalate(assigned_ticket, agent)
    remedy = services.remedy_propose(ticket=assigned_ticket, kind="refund", amount=80, actor=agent)
    api.force_authenticate(customer_user)
    ref = assigned_ticket.reference
    for method, url in [
        ("get", "/api/v1/escalations/"),
        ("get", f"/api/v1/escalations/{escalation.pk}/"),
        ("post", f"/api/v1/escalations/{escalation.pk}/acknowledge/"),
        ("post", f"/api/v1/tickets/{ref}/escalate/"),
        ("get", f"/api/v1/tickets/{ref}/remedies/"),
        ("post", f"/api/v1/tickets/{ref}/remedies/"),
        ("post", f"/api/v1/tickets/{ref}/remedies/{remedy.pk}/approve/"),
        ("get", "/api/v1/reports/escalations/"),
    ]:
        assert getattr(api, method)(url).status_code == 404, url


def test_anonymous_is_refused(api):
    assert api.get("/api/v1/escalations/").status_code in (401, 403)


def test_report_has_the_measures(api, on_shift, assigned_ticket, agent, supervisor):
    escalation = escalate(assigned_ticket, agent)
    services.escalation_resolve(escalation=escalation, actor=supervisor)
    api.force_authenticate(supervisor)
    data = api.get("/api/v1/reports/escalations/").data
    assert data["total"] == 1
    assert data["by_trigger"][0]["trigger"] == "manual"
    assert data["outcomes"]["resolved_by_supervisor"] == 1
    assert data["time_to_resolve"]["n"] == 1


def test_report_with_a_bad_date_is_400(api, supervisor):
    api.force_authenticate(supervisor)
    assert api.get("/api/v1/reports/escalations/", {"date_from": "nope"}).status_code == 400


def test_schema_lists_the_escalation_endpoints(api, admin_user):
    api.force_authenticate(admin_user)
    body = api.get("/api/schema/").content.decode()
    for path in ("/api/v1/escalations/", "/api/v1/tickets/{reference}/escalate/",
                 "/api/v1/tickets/{reference}/remedies/", "/api/v1/reports/escalations/"):
        assert path in body


def test_remedy_of_an_unknown_kind_is_400(api, assigned_ticket, agent):
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/tickets/{assigned_ticket.reference}/remedies/", {"kind": "pony", "amount": "1"},
                        format="json")
    assert (response.status_code, response.data["code"]) == (400, "invalid")
    assert "kind" in response.data["errors"]


def test_list_filters_by_ticket_reference(api, on_shift, queue, customer, supervisor):
    mine = escalate(esc.TicketFactory(queue=queue, customer=customer))
    escalate(esc.TicketFactory(queue=queue, customer=customer))
    api.force_authenticate(supervisor)
    rows = api.get("/api/v1/escalations/", {"ticket": mine.ticket.reference.lower()}).data["results"]
    assert [row["id"] for row in rows] == [mine.pk]


def test_trigger_filter_matches_a_trigger_that_fired_again_later(api, on_shift, assigned_ticket, supervisor):
    escalation = escalate(assigned_ticket)
    services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.SERVICE_RECOVERY,
                              rating={"stars": 1, "comment": "Awful"})
    api.force_authenticate(supervisor)
    for trigger in ("manual", "service_recovery"):
        rows = api.get("/api/v1/escalations/", {"trigger": trigger}).data["results"]
        assert [row["id"] for row in rows] == [escalation.pk], trigger
    assert api.get("/api/v1/escalations/", {"trigger": "complaint"}).data["count"] == 0


@pytest.mark.parametrize("action", ["acknowledge", "take-over", "resolve"])
def test_an_agent_who_can_read_an_escalation_gets_403_on_a_supervisor_action(api, on_shift, assigned_ticket,
                                                                             agent, action):
    escalation = escalate(assigned_ticket, agent)
    api.force_authenticate(agent)
    assert api.get(f"/api/v1/escalations/{escalation.pk}/").status_code == 200
    response = api.post(f"/api/v1/escalations/{escalation.pk}/{action}/", {}, format="json")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_an_agent_gets_403_on_approving_a_remedy_they_can_read(api, on_shift, assigned_ticket, agent):
    remedy = services.remedy_propose(ticket=assigned_ticket, actor=agent, kind="refund", amount=500)
    api.force_authenticate(agent)
    url = f"/api/v1/tickets/{assigned_ticket.reference}/remedies/"
    assert [row["id"] for row in api.get(url).data["results"]] == [remedy.pk]
    assert api.post(f"{url}{remedy.pk}/approve/", {}, format="json").status_code == 403


def test_a_customer_still_gets_404_on_supervisor_actions(api, on_shift, assigned_ticket, agent, customer_user):
    escalation = escalate(assigned_ticket, agent)
    api.force_authenticate(customer_user)
    assert api.post(f"/api/v1/escalations/{escalation.pk}/acknowledge/", {}, format="json").status_code == 404


def test_a_tickets_remedies_are_paginated_like_every_list(api, on_shift, assigned_ticket, agent):
    services.remedy_propose(ticket=assigned_ticket, actor=agent, kind="refund", amount=500)
    api.force_authenticate(agent)
    body = api.get(f"/api/v1/tickets/{assigned_ticket.reference}/remedies/").data
    assert body["count"] == 1 and len(body["results"]) == 1 and "next" in body


def test_a_supervisor_lists_the_remedies_awaiting_them(api, on_shift, queue, customer, agent, supervisor):
    waiting = services.remedy_propose(ticket=esc.TicketFactory(queue=queue, customer=customer), actor=agent,
                                      kind="refund", amount=500)
    own = services.remedy_propose(ticket=esc.TicketFactory(queue=queue, customer=customer), actor=supervisor,
                                  kind="refund", amount=900)
    api.force_authenticate(supervisor)
    assert {row["id"] for row in api.get("/api/v1/remedies/").data["results"]} == {waiting.pk, own.pk}
    assert [row["id"] for row in api.get("/api/v1/remedies/", {"awaiting": "me"}).data["results"]] == [waiting.pk]
    assert api.get("/api/v1/remedies/", {"awaiting": "someone"}).status_code == 400


def test_an_agent_reads_their_own_authority_limits(api, queue, agent):
    esc.limit(kind="refund", max_amount=50, role="agent")
    esc.limit(kind="discount", max_amount=15, role="", user=agent, queue=queue)
    esc.limit(kind="credit", max_amount=999, role="supervisor")
    api.force_authenticate(agent)
    me = api.get("/api/v1/me/").data
    assert (me["id"], me["role"]) == (agent.pk, "agent")
    limits = {(row["kind"], row["max_amount"], row["queue"], row["applies_to"]) for row in me["authority_limits"]}
    assert limits == {("refund", "50.00", None, "role"), ("discount", "15.00", queue.slug, "person")}


def test_a_customer_reads_their_role_and_no_limits(api, customer_user):
    api.force_authenticate(customer_user)
    me = api.get("/api/v1/me/").data
    assert (me["role"], me["authority_limits"]) == ("customer", [])
