"""The demo desk is a calm, believable desk (issue 13.8).

`seed_demo` runs once for the module, committed as `make run` commits it (so what a rating publishes
after commit happens, as it does there). Then: the first minutes of beat and the worker (their
periodic functions, several sweeps with the clock advanced) escalate nothing and send (almost) no
email; the seeded clocks agree with the seeded history; a handful of live escalations wait for the
supervisors; the navigation badge, the inbox and the dashboard show the same, labelled, counts; and
a second `seed_demo` changes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from escalation.models import Escalation, EscalationEvent, Notification, TicketSla, Trigger
from feedback.models import Rating, RelationshipSurvey, Survey
from outbox.models import Delivery
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DEMO_TICKETS = 120
ALARMS = ("fr_warning_at", "fr_breach_at", "res_warning_at", "res_breach_at", "complaint_at")
SMALL = 3  # outgoing emails tolerated in the first minutes (none expected)


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its user's language and leaves it active: give the next test the one it had."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo desk, committed once for the module and flushed afterwards (other modules start empty)."""
    with django_db_blocker.unblock():
        name, test = str(connection.settings_dict["NAME"]), connection.settings_dict.get("TEST") or {}
        is_test_db = name.startswith("test_") or "memory" in name or name == str(test.get("NAME"))
        assert is_test_db, f"refusing to seed and flush {name}: not a test database"
        try:
            _seed()
            yield timezone.now()
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _seed() -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo", tickets=DEMO_TICKETS, no_progress=True, stdout=StringIO())


def _outbox_rows() -> int:
    """Rows that make email: everything in the outbox not sent yet."""
    return Delivery.objects.filter(state__in=Delivery.PENDING_STATES).count()


def _beat_and_worker(now) -> None:
    """What beat schedules (and the worker then runs) in the desk's first minutes, at `now`."""
    from escalation.services import sla_sweep
    from feedback import services as feedback
    from outbox import services as outbox
    from tickets.tasks import auto_close_resolved

    sla_sweep(now=now)
    feedback.survey_expire_old(now=now)
    feedback.relationship_survey_schedule_due(now=now)  # daily: a desk started at 9:29
    auto_close_resolved()
    outbox.deliveries_send_due(now=now)  # the worker: every email due


def test_first_minutes_of_beat_raise_no_escalation_and_send_no_email(demo):
    escalations, events = Escalation.objects.count(), EscalationEvent.objects.count()
    notifications, outbox = Notification.objects.count(), _outbox_rows()
    mail.outbox.clear()
    for minutes in (0, 1, 2, 3, 5):
        _beat_and_worker(timezone.now() + timedelta(minutes=minutes))
    assert Escalation.objects.count() == escalations, "beat escalated the demo's history"
    assert EscalationEvent.objects.count() == events, "beat fired again or moved an escalation up a tier"
    assert Notification.objects.count() - notifications <= SMALL, "beat warned about the demo's history"
    assert outbox <= SMALL
    assert len(mail.outbox) <= SMALL, [m.subject for m in mail.outbox]


def test_resolved_and_closed_history_has_its_sla_outcome_and_no_alarm(demo):
    history = TicketSla.objects.filter(ticket__status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
    assert history.count() == Ticket.objects.filter(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED]).count()
    assert not history.filter(first_response_met__isnull=True).exists()
    assert not history.filter(resolution_met__isnull=True).exists()
    for alarm in ALARMS:
        assert not history.filter(**{f"{alarm}__isnull": False}).exists(), alarm
    assert history.filter(resolution_met=True).count() > history.filter(resolution_met=False).count()


def test_open_tickets_clocks_are_due_later_or_were_escalated_when_breached(demo):
    soon = demo + timedelta(minutes=6)
    open_clocks = TicketSla.objects.filter(ticket__status__in=Ticket.OPEN_STATUSES)
    assert open_clocks.count() == Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count()
    for alarm in ALARMS:
        assert not open_clocks.filter(**{f"{alarm}__lte": soon}).exists(), f"{alarm} falls due at once"
    escalated = set(Escalation.objects.values_list("ticket_id", "trigger"))
    for flag, trigger in (("first_response_breached", Trigger.SLA_FIRST_RESPONSE),
                          ("resolution_breached", Trigger.SLA_RESOLUTION)):
        breached = open_clocks.filter(**{flag: True}).values_list("ticket_id", flat=True)
        missing = [pk for pk in breached if (pk, trigger) not in escalated and not EscalationEvent.objects.filter(
            escalation__ticket_id=pk, trigger=trigger).exists()]
        assert not missing, f"{flag} without an escalation: {missing}"
    handled = Escalation.objects.filter(trigger__in=[Trigger.SLA_RESOLUTION, Trigger.COMPLAINT],
                                        state=Escalation.State.RESOLVED)
    assert handled.exists() and not handled.filter(acknowledged_at__isnull=True).exists()


def test_a_handful_of_live_escalations_of_different_triggers_wait_for_the_supervisors(demo):
    live = Escalation.objects.filter(state__in=Escalation.OPEN_STATES)
    assert 3 <= live.count() <= 6
    assert len(set(live.values_list("trigger", flat=True))) >= 3
    assert not live.filter(assigned_to__isnull=True).exists()
    recovery = live.get(trigger=Trigger.SERVICE_RECOVERY)
    rating = Rating.objects.get(pk=recovery.rating_id)
    assert rating.stars <= 2 and rating.follow_up
    assert not live.filter(ack_due_at__lte=demo + timedelta(minutes=10)).exists(), "a tier-up within minutes"


def _number(html: str, name: str) -> int:
    found = re.findall(rf'data-count="{name}"[^>]*>\s*(\d+)\s*<', html)
    assert len(found) == 1, f"{name}: {found}"
    return int(found[0])


def _badge(html: str) -> int:
    found = re.search(r'href="/escalations/"[^>]*>[^<]*<span class="badge[^"]*"[^>]*>(\d+)</span>', html)
    return int(found.group(1)) if found else 0


def test_nav_badge_inbox_and_dashboard_show_the_same_labelled_counts(demo, client):
    client.login(username="supervisor", password="demo")
    inbox = client.get(reverse("escalation:inbox")).content.decode()
    mine = client.get(reverse("escalation:inbox") + "?scope=mine").content.decode()
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    listed, listed_mine = inbox.count('class="list-group-item'), mine.count('class="list-group-item')
    assert 3 <= listed <= 6
    assert _number(inbox, "open") == listed == _number(dashboard, "open")
    assert _badge(inbox) == _number(inbox, "mine") == listed_mine == _number(dashboard, "mine")
    assert _number(dashboard, "period-open") == listed  # the live escalations were all raised lately
    assert _number(dashboard, "period-total") >= listed


def test_seeding_again_changes_nothing(demo):
    def counts():
        return (Ticket.objects.count(), TicketSla.objects.count(), Escalation.objects.count(),
                EscalationEvent.objects.count(), Notification.objects.count(), Survey.objects.count(),
                RelationshipSurvey.objects.count(), Rating.objects.count())

    first = counts()
    _seed()
    assert counts() == first
