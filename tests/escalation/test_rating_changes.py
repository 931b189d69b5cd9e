"""A low rating's escalation follows the rating as the customer changes it (13.2 with one-tap rating).

One tap on the survey page records the stars; the customer's answer to "Where did we go wrong?" usually comes
a moment later, as a change of the same rating. Feedback publishes `rating_changed` after commit; escalation
brings the escalation carrying that rating up to date:

- words added or changed: the escalation shows them (page, inbox, API, emails), its history says "The customer
  answered: ...", and its handler is told, in the handler's language;
- stars changed (2 -> 1, 2 -> 4, 4 -> 2): the escalation shows the current stars, its history says from what to
  what, its handler is told. A rise to 3+ does not close it: the customer was unhappy enough to say so, and a
  supervisor still calls them (D6); the handler decides whether the call is still needed;
- a closed escalation keeps a complete record (snapshot and history) but nobody is notified; a drop to 1-2
  after its escalation was closed raises a new service-recovery escalation (the customer is unhappy again).
"""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from escalation import services, tasks
from escalation.models import Escalation, EscalationEvent, Notification, Trigger
from feedback import services as feedback_services
from tests.feedback.helpers import resolve, survey_of

pytestmark = pytest.mark.django_db

ANSWER = "Nobody called back for a week & the frame was still broken."


@pytest.fixture
def rate(on_shift, assigned_ticket, agent, supervisor, django_capture_on_commit_callbacks):
    """rate(stars, follow_up=..., comment=...): the customer (re)answers the ticket's survey; events run at
    commit. The first call resolves the ticket."""

    def rate_it(stars, follow_up="", comment=""):
        if survey_of(assigned_ticket) is None:
            resolve(assigned_ticket, agent)
        with django_capture_on_commit_callbacks(execute=True):
            feedback_services.rating_submit(survey_id=survey_of(assigned_ticket).pk, stars=stars,
                                            follow_up=follow_up, comment=comment)
        return Escalation.objects.filter(ticket=assigned_ticket).order_by("-created_at", "-id").first()

    return rate_it


def _mail_of(notification: Notification) -> str:
    mail.outbox.clear()
    assert tasks.notification_send(notification.pk) is True
    return mail.outbox[0].body


def _newest_notification(user) -> Notification:
    return Notification.objects.filter(recipient=user).order_by("-pk").first()


# --- The answer typed after the one tap ------------------------------------------------------------


def test_answer_added_after_a_one_tap_low_rating_reaches_the_escalation(rate):
    escalation = rate(2)
    assert escalation.rating_follow_up == ""

    escalation = rate(2, follow_up=ANSWER, comment="Also: rude.")

    assert (escalation.rating_stars, escalation.rating_follow_up, escalation.rating_comment) == (
        2, ANSWER, "Also: rude.")


def test_answer_added_after_a_one_tap_low_rating_is_on_the_escalation_page(rate, client, supervisor):
    rate(2)
    escalation = rate(2, follow_up=ANSWER)
    client.force_login(supervisor)
    body = client.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    assert "Nobody called back for a week &amp; the frame was still broken." in body


def test_answer_added_after_a_one_tap_low_rating_is_in_the_escalation_history(rate):
    rate(2)
    escalation = rate(2, follow_up=ANSWER)
    event = escalation.events.get(kind=EscalationEvent.Kind.CUSTOMER_ANSWERED)
    with translation.override("en"):
        assert event.note_display == f"The customer answered: “{ANSWER}”"


def test_answer_added_after_a_one_tap_low_rating_notifies_the_handler_in_their_language(rate, supervisor):
    supervisor.profile.language = "et"
    supervisor.profile.save(update_fields=["language"])
    rate(2)
    escalation = rate(2, follow_up=ANSWER)

    notification = _newest_notification(supervisor)
    assert (notification.kind, notification.escalation_id) == (Notification.Kind.CUSTOMER_ANSWERED, escalation.pk)
    assert isinstance(notification.phrase, dict)  # a code and its parameters, not an English sentence
    body = _mail_of(notification)
    assert f"Klient vastas: „{ANSWER}“" in body
    assert "The customer answered" not in body


def test_the_answer_reaches_an_escalation_the_low_rating_joined(rate, assigned_ticket, supervisor):
    existing, _created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.REPEAT_CONTACT)
    rate(1)
    escalation = rate(1, follow_up=ANSWER)
    assert escalation.pk == existing.pk
    assert escalation.rating_follow_up == ANSWER
    assert _newest_notification(supervisor).kind == Notification.Kind.CUSTOMER_ANSWERED


def test_an_unchanged_answer_sent_again_tells_nobody_twice(rate, supervisor):
    rate(2)
    rate(2, follow_up=ANSWER)
    before = Notification.objects.filter(recipient=supervisor).count()
    escalation = rate(2, follow_up=ANSWER)
    assert Notification.objects.filter(recipient=supervisor).count() == before
    assert escalation.events.filter(kind=EscalationEvent.Kind.CUSTOMER_ANSWERED).count() == 1


# --- The stars change ------------------------------------------------------------------------------


def test_a_rating_raised_to_four_stars_keeps_the_escalation_open_with_the_new_stars(rate, supervisor):
    rate(2, follow_up=ANSWER)
    escalation = rate(4, follow_up=ANSWER)

    assert escalation.is_open
    assert escalation.rating_stars == 4
    event = escalation.events.get(kind=EscalationEvent.Kind.RATING_CHANGED)
    with translation.override("en"):
        assert event.note_display == "The customer changed the rating from 2 to 4 stars."
    notification = _newest_notification(supervisor)
    assert notification.kind == Notification.Kind.RATING_CHANGED
    assert "from 2 to 4 stars" in _mail_of(notification)


def test_a_rating_dropped_again_while_escalated_updates_the_same_escalation(rate, assigned_ticket):
    first = rate(2)
    rate(4)
    escalation = rate(1, follow_up=ANSWER)
    assert escalation.pk == first.pk
    assert Escalation.objects.filter(ticket=assigned_ticket).count() == 1
    assert (escalation.rating_stars, escalation.rating_follow_up) == (1, ANSWER)


def test_a_rating_dropped_again_after_its_escalation_was_resolved_raises_a_new_one(rate, assigned_ticket,
                                                                                   supervisor):
    first = rate(2)
    services.escalation_resolve(escalation=first, actor=supervisor)
    rate(4)
    again = rate(2, follow_up=ANSWER)
    assert again.pk != first.pk
    assert (again.trigger, again.state, again.rating_stars, again.rating_follow_up) == (
        Trigger.SERVICE_RECOVERY, Escalation.State.OPEN, 2, ANSWER)


def test_words_added_after_the_escalation_was_resolved_are_recorded_without_notifying(rate, supervisor):
    escalation = rate(2)
    services.escalation_resolve(escalation=escalation, actor=supervisor)
    before = Notification.objects.filter(recipient=supervisor).count()

    escalation = rate(2, follow_up=ANSWER)

    assert escalation.state == Escalation.State.RESOLVED
    assert escalation.rating_follow_up == ANSWER
    assert escalation.events.filter(kind=EscalationEvent.Kind.CUSTOMER_ANSWERED).exists()
    assert Notification.objects.filter(recipient=supervisor).count() == before


def test_a_high_rating_changed_without_an_escalation_raises_nothing(rate, assigned_ticket):
    rate(5)
    rate(4, comment="Good after all.")
    assert not Escalation.objects.filter(ticket=assigned_ticket).exists()
