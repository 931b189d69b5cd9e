"""The escalation a low rating raised (or joined) follows the rating as the customer changes it.

One tap on the survey page records the stars; the answer to "Where did we go wrong?" comes a moment later,
as a change of the same rating (feedback's `rating_changed`, after commit). What the escalation shows:

- the rating as it is now (stars, answer, comment): on its page, in the inbox, the API and the emails;
- each change in its history ("The customer answered: ...", "... changed the rating from 2 to 4 stars.");
- an open escalation's handler is told (email and the notification outbox, in the handler's language);
  a closed one keeps the record and tells nobody.

A rise to 3 stars or more leaves the escalation open, with its reason ("Customer rated 2 stars ...") and its
deadline: the customer was unhappy enough to say so and a supervisor still calls them (D6, never leave
negative feedback unresolved); the handler sees the new rating and decides. A drop back to 1-2 on an open
escalation is a change like any other; after its escalation was closed it raises a new one
(`service_recovery`).
"""

from django.db import transaction
from django.utils import timezone

from escalation.models import Escalation, EscalationEvent, Notification
from escalation.services.lifecycle import history_add
from escalation.services.notifications import notify
from feedback import selectors as feedback_selectors
from helpdesk.phrases import Phrase, join, phrase

EventKind = EscalationEvent.Kind


def escalation_rating_update(*, rating_id: int, now=None) -> Escalation | None:
    """Bring the newest escalation carrying rating `rating_id` up to date with the rating's current values.

    Idempotent: the rating is read as it is now, so a change delivered twice, or two changes delivered in
    the wrong order, leave one history row per real change and the latest values."""
    rating = feedback_selectors.rating_current(rating_id=rating_id)
    if rating is None:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(of=("self",)).select_related("ticket", "assigned_to")
            .filter(rating_id=rating_id).order_by("-created_at", "-id").first()
        )
        if escalation is None:
            return None
        said = _changes(escalation, stars=rating.stars, follow_up=rating.follow_up, comment=rating.comment, now=now)
        if not said:
            return escalation
        stars_changed = escalation.rating_stars != rating.stars
        escalation.rating_stars, escalation.rating_follow_up, escalation.rating_comment = (
            rating.stars, rating.follow_up, rating.comment)
        escalation.save(update_fields=["rating_stars", "rating_follow_up", "rating_comment"])
        if escalation.is_open:
            notify(key=f"rating_changed:{escalation.pk}:{said[-1].pk}", recipient=escalation.assigned_to,
                   kind=Notification.Kind.RATING_CHANGED if stars_changed else Notification.Kind.CUSTOMER_ANSWERED,
                   ticket=escalation.ticket, escalation=escalation, phrase=join(*(event.phrase for event in said)))
    return escalation


def _changes(escalation: Escalation, *, stars: int, follow_up: str, comment: str, now) -> list[EscalationEvent]:
    """The history rows for what changed since the escalation's snapshot (none: nothing changed)."""
    written = []
    if escalation.rating_stars != stars:
        written.append(history_add(escalation, EventKind.RATING_CHANGED, now=now, phrase=phrase(
            "escalation.rating_changed", previous=escalation.rating_stars or 0, stars=stars)))
    words = _words_phrase(escalation, follow_up=follow_up, comment=comment)
    if words:
        written.append(history_add(escalation, EventKind.CUSTOMER_ANSWERED, phrase=words, now=now))
    return written


def _words_phrase(escalation: Escalation, *, follow_up: str, comment: str) -> Phrase:
    """What the customer's words became: the new answer and comment, each quoted, or that they were removed."""
    answered = follow_up != escalation.rating_follow_up
    commented = comment != escalation.rating_comment
    if not (answered or commented):
        return ""
    said = join(phrase("escalation.customer_answered", answer=follow_up) if answered and follow_up else "",
                phrase("escalation.customer_commented", comment=comment) if commented and comment else "")
    return said or phrase("escalation.customer_words_removed")
