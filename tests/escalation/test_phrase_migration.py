"""The data migration turns the English sentences the desk stored into phrases; typed text stays as typed.

Rows are written as they were before the migration (the historical models of escalation 0005), then the
migrations run forward: every known sentence becomes a code with its parameters and renders back to the same
English (and to Estonian for an Estonian reader); text the desk did not compose is left alone. Backwards,
the English sentences come back. The tickets' own timeline reasons (tickets 0008) are checked on the way.

Walking the migrations takes seconds, so the module walks twice, not once per test: first back to before
both apps' phrases (the tickets' rows, and English sentences for the way back), then back to escalation 0005
(reading those sentences as the way back left them, and writing the rows the other tests read).
"""

from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from escalation.models import Escalation, EscalationEvent, Notification
from tests import factories
from tests.migration_walk import committed_rows, old_schema
from tickets import events as ticket_events
from tickets.models import Message, TicketEvent

BEFORE = [("escalation", "0005_phrases")]
BEFORE_ANY_PHRASE = [("tickets", "0007_phrases"), *BEFORE]

LOW_RATING = "Customer rated 2 stars. Contact them at once."
ROUTING = ("Routed to Mari Tamm (team supervisor): on shift, 1 open escalation; Jaan Kask away; "
           "Busy Bee has 2 open escalations.")
TIER_UP = ("Not acknowledged in time by Mari Tamm, moved up a tier: Routed to Queue Manager (manager of queue "
           "Billing): 0 open escalations.")


@pytest.fixture(scope="module")
def walks(django_db_setup, django_db_blocker):
    with committed_rows(django_db_blocker):
        with django_db_blocker.unblock():
            walks = _walk_twice()
        yield walks


@pytest.fixture
def walked(walks, db):
    # `db` also for the tests that read no table: pytest-django runs the tests that use the database before
    # the others, and the module's tests must run together for its walks to be done once.
    return walks


@pytest.fixture
def old_rows(walked):
    return walked.rows


def _walk_twice() -> SimpleNamespace:
    # By way of escalation 0005: back to both at once, SQLite rebuilds escalation's table (unapplying its 0007)
    # with a foreign key to `accounts_team` after tickets 0011 has renamed that table back to `tickets_team`.
    with old_schema(BEFORE), old_schema(BEFORE_ANY_PHRASE) as old:
        timeline, english = _write_rows_before_any_phrase(old)
    timeline_ids, timeline = timeline, {name: TicketEvent.objects.get(pk=pk) for name, pk in timeline.items()}
    upgraded = _english_rows(django_apps, english)
    with old_schema(BEFORE) as old:
        reversed_ = _english_rows(old, english)
        reversed_.timeline = old.get_model("tickets", "TicketEvent").objects.get(pk=timeline_ids["replied"])
        rows = _write_rows_at_escalation_0005(old)
    timeline_after_the_way_back = TicketEvent.objects.get(pk=timeline_ids["replied"])
    return SimpleNamespace(rows=rows, timeline=timeline, upgraded=upgraded, reversed=reversed_,
                           timeline_after_the_way_back=timeline_after_the_way_back)


def _english_rows(apps, ids) -> SimpleNamespace:
    return SimpleNamespace(low=apps.get_model("escalation", "Escalation").objects.get(pk=ids["low"]),
                           reopened=apps.get_model("tickets", "TicketEvent").objects.get(pk=ids["reopened"]))


def _write_rows_before_any_phrase(old) -> tuple[dict, dict]:
    # The models of tickets 0007 (its customers and teams had not moved to accounts yet) and escalation 0005.
    team = old.get_model("tickets", "Team").objects.create(name="Support", slug="support")
    queue = old.get_model("tickets", "Queue").objects.create(team=team, name="General", slug="general")
    customer = old.get_model("tickets", "Customer").objects.create(name="Maarja", email="maarja@example.com")
    OldTicket = old.get_model("tickets", "Ticket")
    ticket = OldTicket.objects.create(reference="DD-1", subject="Arve", description="Tere", customer=customer,
                                      queue=queue)
    OldEvent = old.get_model("tickets", "TicketEvent")
    timeline = {
        "replied": OldEvent.objects.create(ticket=ticket, kind="reopened", reason="customer replied").pk,
        "closed": OldEvent.objects.create(ticket=ticket, kind="status",
                                          reason="closed automatically after being resolved").pk,
        "typed": OldEvent.objects.create(ticket=ticket, kind="status", reason="duplicate of DD-7").pk,
    }
    rated = OldTicket.objects.create(reference="DD-2", subject="Katki", description="Tere", customer=customer,
                                     queue=queue)
    english = {
        "low": old.get_model("escalation", "Escalation").objects.create(
            ticket=rated, trigger="service_recovery", reason_text=LOW_RATING, routing_explanation=ROUTING,
            state="resolved").pk,
        "reopened": OldEvent.objects.create(ticket=rated, kind="reopened",
                                            reason="Service recovery: rated 2 stars").pk,
    }
    return timeline, english


def _write_rows_at_escalation_0005(old) -> dict:
    OldEscalation = old.get_model("escalation", "Escalation")
    OldEvent = old.get_model("escalation", "EscalationEvent")
    OldNotification = old.get_model("escalation", "Notification")
    team = factories.TeamFactory()
    queue = factories.QueueFactory(team=team)
    supervisor = factories.supervisor_of(team)
    agent = factories.agent_in(team)
    with ticket_events.muted():  # the outbox's migrations are unapplied with escalation's: no confirmation
        ticket = factories.TicketFactory(queue=queue)
        other = factories.TicketFactory(queue=queue)
    low = OldEscalation.objects.create(ticket_id=ticket.pk, trigger="service_recovery", reason_text=LOW_RATING,
                                       routing_explanation=ROUTING, state="resolved")
    typed = OldEscalation.objects.create(ticket_id=other.pk, trigger="manual", reason_text="Kunde ist wütend",
                                         routing_explanation="Mari takes these on Fridays.")
    events = {
        "fired": OldEvent.objects.create(
            escalation_id=low.pk, kind="fired_again", trigger="repeat_contact",
            note="Repeat contact — Reopened 3 times. (2 stars: Nobody listened)"),
        "tier_up": OldEvent.objects.create(escalation_id=low.pk, kind="tier_up", note=TIER_UP),
        "decided": OldEvent.objects.create(escalation_id=low.pk, kind="remedy_approved",
                                           note="Remedy approved by Mari Tamm: Refund 120.00 EUR. Fair enough."),
        "typed": OldEvent.objects.create(escalation_id=typed.pk, kind="raised", note="Kunde ist wütend"),
    }
    notices = {
        "sla": OldNotification.objects.create(key="a", recipient_id=agent.pk, kind="sla_warning",
                                              text=f"{ticket.reference}: first response due at 2026-05-04 10:00 UTC"),
        "routed": OldNotification.objects.create(key="b", recipient_id=supervisor.pk, kind="routed",
                                                 text=f"Repeat contact on {ticket.reference}: {ROUTING}"),
        "coached": OldNotification.objects.create(key="c", recipient_id=agent.pk, kind="coached",
                                                  text="Remedy applied: call them first."),
    }
    reopened = TicketEvent.objects.create(ticket=ticket, kind="reopened", reason="Service recovery: rated 2 stars")
    note = Message.objects.create(ticket=ticket, kind="note", author_user=agent,
                                  body="Remedy applied: Refund 20.00 EUR (within Anna Agent's authority of 50.00). "
                                       "Arrived broken")
    return {"low": low.pk, "typed": typed.pk, "events": {k: v.pk for k, v in events.items()},
            "notices": {k: v.pk for k, v in notices.items()}, "reopened": reopened.pk, "note": note.pk}


def test_stored_english_sentences_become_phrases_that_render_back(old_rows):
    low = Escalation.objects.get(pk=old_rows["low"])
    assert low.reason_phrase == {"code": "escalation.reason.low_rating", "params": {"stars": 2}}
    assert low.reason_text == ""
    assert low.routing["code"] == "escalation.routing.explained"
    assert low.reason_display == "Customer rated 2 stars. Contact them at once."
    assert low.routing_explanation == ROUTING
    tier_up = EscalationEvent.objects.get(pk=old_rows["events"]["tier_up"])
    assert tier_up.phrase["code"] == "escalation.tier_up.moved" and tier_up.note_display == TIER_UP
    decided = EscalationEvent.objects.get(pk=old_rows["events"]["decided"])
    assert (decided.phrase["code"], decided.note) == ("escalation.remedy.approved", "Fair enough.")
    fired = EscalationEvent.objects.get(pk=old_rows["events"]["fired"])
    assert fired.note_display == "Reopened 3 times. Rated 2 stars. Nobody listened"
    sla = Notification.objects.get(pk=old_rows["notices"]["sla"])
    assert sla.phrase["params"]["due"] == {"datetime": "2026-05-04T10:00:00+00:00"}
    routed = Notification.objects.get(pk=old_rows["notices"]["routed"])
    assert routed.phrase["code"] == "escalation.notice.routed" and routed.text == ""
    reopened = TicketEvent.objects.get(pk=old_rows["reopened"])
    assert reopened.reason_phrase == {"code": "escalation.reopened_for_recovery", "params": {"stars": 2}}
    note = Message.objects.get(pk=old_rows["note"])
    assert (note.phrase["code"], note.body) == ("escalation.remedy.applied", "Arrived broken")
    with translation.override("et"):
        shown = " ".join([low.reason_display, low.routing_explanation, tier_up.note_display, routed.text_display,
                          reopened.reason_display, note.body_display])
    assert not [word for word in ("Customer rated", "outed to", "open escalation", "moved up", "rated 2")
                if word in shown], shown


def test_text_the_desk_did_not_compose_stays_as_typed(old_rows):
    typed = Escalation.objects.get(pk=old_rows["typed"])
    assert (typed.reason_phrase, typed.reason_text) == (None, "Kunde ist wütend")
    assert typed.routing == "Mari takes these on Fridays."
    assert EscalationEvent.objects.get(pk=old_rows["events"]["typed"]).note == "Kunde ist wütend"
    coached = Notification.objects.get(pk=old_rows["notices"]["coached"])
    assert (coached.phrase, coached.text) == (None, "Remedy applied: call them first.")


def test_the_migration_reverses_to_the_english_sentences(walked):
    assert walked.upgraded.low.reason_phrase["code"] == "escalation.reason.low_rating"  # phrases, before the way back
    assert walked.upgraded.reopened.reason_phrase["code"] == "escalation.reopened_for_recovery"
    low = walked.reversed.low
    assert (low.reason_text, low.routing_explanation) == (LOW_RATING, ROUTING)
    assert walked.reversed.reopened.reason == "Service recovery: rated 2 stars"


def test_the_tickets_own_timeline_reasons_become_phrases(walked):
    rows = walked.timeline
    assert rows["replied"].reason_phrase == {"code": "tickets.reason.customer_replied", "params": {}}
    assert rows["closed"].reason_display == "closed automatically after being resolved"
    assert (rows["typed"].reason_phrase, rows["typed"].reason) == (None, "duplicate of DD-7")
    with translation.override("et"):
        assert rows["replied"].reason_display == "klient vastas"


def test_the_way_back_leaves_the_tickets_own_phrases_alone(walked):
    """Escalation's way back turns its own sentences into English, not the tickets' phrases: the way forward
    again would not make those phrases a second time, and they would stay English for every reader."""
    replied = {"code": "tickets.reason.customer_replied", "params": {}}
    assert walked.reversed.timeline.reason_phrase == replied
    assert walked.timeline_after_the_way_back.reason_phrase == replied
