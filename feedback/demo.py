"""Demo data of the feedback app: answered surveys, ratings, agent pulses, NPS answers, wow stories.

Run by `manage.py seed_demo` after the tickets demo. Idempotent: tickets that already have a survey
are left alone, weekly pulses and NPS answers are created once. Written with bulk_create, directly:
no email is sent (the history's emails are in the outbox, as sent). Agents get a steady "form" so that
their CSAT and their pulse move together (D5).

History, consistent with the desk's periodic tasks, so that starting beat sends nothing about it: every
survey was sent an hour after its ticket was resolved, and those left unanswered past their link's
lifetime are expired; every active customer was sent the relationship survey (NPS) in the last months,
so none is due when the daily task first runs.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from accounts.roles import Role
from accounts.selectors import users_with_role
from feedback.emails import survey_message_id
from feedback.models import AgentPulse, NpsResponse, Rating, RatingChange, RelationshipSurvey, Survey, WowStory
from feedback.rollup import rollup_rebuild
from feedback.services.relationship import surveys_per_year
from helpdesk.dates import monday_of
from outbox import services as outbox
from outbox.models import Delivery
from tickets.models import Ticket

User = get_user_model()

GOOD = [
    "Quick answer and it worked straight away.",
    "Friendly and clear, thank you!",
    "Solved on the first reply.",
    "Kept me posted the whole time.",
]
DELIGHT = [
    "She called me back on a Saturday to check the fix worked. Wow.",
    "He spotted a second problem I had not even noticed and fixed both.",
    "Honest advice: told me the cheaper plan suits me better. I will stay for that.",
    "Remembered my last order and had everything ready before I asked.",
]
MEH = ["It took a while, but it is fixed.", "Fine, nothing special.", "Had to explain it twice."]
BAD = [
    "Three emails before anyone read my question properly.",
    "The answer did not solve anything and the ticket was closed anyway.",
    "Nobody told me the refund would take two weeks.",
]
FOLLOW_GOOD = ["You listened.", "Clear steps I could follow.", "Fast."]
FOLLOW_BAD = ["Slow replies.", "Canned answers.", "Nobody owned the problem."]
PULSE_NOTES = ["", "", "", "Tricky one, but satisfying.", "Customer was upset; took patience.", "Easy fix."]


def _stars(rng: random.Random, form: float) -> int:
    """Mostly 4-5, some 3, a few 1-2; an agent's `form` (-1..1) shifts the odds."""
    roll = rng.random() - 0.12 * form
    if roll < 0.05:
        return 1
    if roll < 0.11:
        return 2
    if roll < 0.24:
        return 3
    if roll < 0.58:
        return 4
    return 5


def _comment(rng: random.Random, stars: int) -> str:
    if stars == 5:
        return rng.choice(DELIGHT) if rng.random() < 0.35 else (rng.choice(GOOD) if rng.random() < 0.4 else "")
    if stars == 4:
        return rng.choice(GOOD) if rng.random() < 0.4 else ""
    if stars == 3:
        return rng.choice(MEH) if rng.random() < 0.6 else ""
    return rng.choice(BAD)


def seed(command) -> None:
    rng = random.Random(command.options.get("seed", 42) + 6)
    now = timezone.now()
    tickets = list(
        Ticket.objects.filter(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED], surveys__isnull=True)
        .select_related("customer", "queue")
        .order_by("pk")
    )
    agents = {a.pk: a for a in users_with_role(Role.AGENT, Role.SUPERVISOR)}
    form = {pk: rng.uniform(-1, 1) for pk in sorted(agents)}
    pulses, ratings_by_agent_week = [], {}
    with transaction.atomic():
        for ticket in command.progress(tickets, "ratings", total=len(tickets)):
            resolved = ticket.resolved_at or ticket.closed_at or ticket.updated_at
            resolved = max(min(resolved, now - timedelta(hours=2)), now - timedelta(weeks=8))
            agent_form = form.get(ticket.assignee_id, 0.0)
            survey, rated_at = _survey_sent(rng, ticket, resolved=resolved, now=now)
            stars = None
            if survey.state == Survey.State.ANSWERED:
                stars = _rating_given(rng, survey, agent_form=agent_form, rated_at=rated_at)
                week = monday_of(rated_at.date())
                ratings_by_agent_week.setdefault((ticket.assignee_id, week), []).append(stars)
            if ticket.assignee_id and rng.random() < 0.8:
                pulses.append(_ticket_pulse(rng, ticket, stars=stars, agent_form=agent_form, resolved=resolved))
        AgentPulse.objects.bulk_create(pulses, ignore_conflicts=True)
        _weekly_pulses(rng, form, ratings_by_agent_week, now)
        _nps(rng, now)
        _relationship_surveys_sent(rng, now)
        rollup_rebuild()  # the rows above were written directly: count them all in SQL


def _survey_sent(rng, ticket, *, resolved, now) -> tuple[Survey, object]:
    """The ticket's survey, sent an hour after it was resolved (its delivery marked sent), answered 70% of
    the time; and when it was (or would have been) answered."""
    answered = rng.random() < 0.7
    sent_at = resolved + timedelta(hours=1)
    rated_at = min(sent_at + timedelta(hours=rng.uniform(0.2, 30)), now - timedelta(minutes=5))
    expires_at = sent_at + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
    unanswered = Survey.State.SENT if expires_at > now else Survey.State.EXPIRED
    [delivery] = outbox.deliveries_create([outbox.delivery_new_sent(
        kind="survey", sent_at=sent_at, recipient=ticket.customer.email, language=ticket.customer.language,
        reference=ticket.reference,
    )])
    survey = Survey.objects.create(
        ticket=ticket, customer=ticket.customer, agent_id=ticket.assignee_id, queue_id=ticket.queue_id,
        language=ticket.customer.language, state=Survey.State.ANSWERED if answered else unanswered,
        delivery=delivery, sent_at=sent_at, answered_at=rated_at if answered else None, expires_at=expires_at,
        created_at=resolved,
    )
    Delivery.objects.filter(pk=delivery.pk).update(message_id=survey_message_id(survey))
    return survey, rated_at


def _rating_given(rng, survey: Survey, *, agent_form: float, rated_at) -> int:
    """The survey's rating (stars drawn around the agent's form), its history row and, for delight, its
    wow story; returns the stars."""
    ticket = survey.ticket
    stars = _stars(rng, agent_form)
    comment = _comment(rng, stars)
    follow_up = rng.choice(FOLLOW_GOOD if stars >= 4 else FOLLOW_BAD) if rng.random() < 0.6 else ""
    rating = Rating.objects.create(
        survey=survey, ticket=ticket, customer=ticket.customer, agent_id=survey.agent_id,
        queue_id=ticket.queue_id, team_id=ticket.queue.team_id, ticket_kind=ticket.kind,
        company=ticket.customer.company, stars=stars, comment=comment, follow_up=follow_up,
        created_at=rated_at, updated_at=rated_at,
    )
    RatingChange.objects.create(rating=rating, stars=stars, comment=comment, follow_up=follow_up, changed_at=rated_at)
    if stars == 5 and comment in DELIGHT:
        WowStory.objects.create(
            rating=rating, team_id=ticket.queue.team_id, agent_id=survey.agent_id, text=comment, shared_at=rated_at
        )
    return stars


def _ticket_pulse(rng, ticket, *, stars: int | None, agent_form: float, resolved) -> AgentPulse:
    felt = stars if stars is not None else 4
    score = max(1, min(5, round(felt * 0.6 + 1.2 + agent_form + rng.gauss(0, 0.6))))
    return AgentPulse(
        agent_id=ticket.assignee_id, ticket=ticket, kind=AgentPulse.Kind.TICKET, score=score,
        note=rng.choice(PULSE_NOTES), week=monday_of(resolved.date()), created_at=resolved,
        answered_at=resolved + timedelta(minutes=3),
    )


def _weekly_pulses(rng, form, ratings_by_agent_week, now) -> None:
    if AgentPulse.objects.filter(kind=AgentPulse.Kind.WEEKLY).exists():
        return  # seeded before
    existing: set = set()
    rows = []
    this_week = monday_of(now.date())
    for agent_id, agent_form in form.items():
        for weeks_ago in range(1, 9):
            week = this_week - timedelta(weeks=weeks_ago)
            if (agent_id, week) in existing or rng.random() < 0.15:
                continue
            stars = ratings_by_agent_week.get((agent_id, week))
            csat = sum(s >= 4 for s in stars) / len(stars) if stars else 0.75
            score = max(1, min(5, round(1.5 + 3 * csat + agent_form * 0.7 + rng.gauss(0, 0.5))))
            at = timezone.make_aware(
                timezone.datetime.combine(week + timedelta(days=4), timezone.datetime.min.time())
            ) + timedelta(hours=15)
            rows.append(
                AgentPulse(
                    agent_id=agent_id,
                    kind=AgentPulse.Kind.WEEKLY,
                    week=week,
                    score=score,
                    note="",
                    created_at=at,
                    answered_at=at,
                )
            )
    AgentPulse.objects.bulk_create(rows, ignore_conflicts=True)


def _nps(rng, now) -> None:
    if NpsResponse.objects.exists():
        return
    answers = [
        (10, "Lost. You are the only ones who pick up the phone.", "Nothing, keep going."),
        (9, "Annoyed; we would have to find someone else.", "Weekend support."),
        (8, "We would manage, but it would hurt.", "Faster refunds."),
        (7, "Not a big deal.", "Clearer invoices."),
        (6, "Relieved, to be honest.", "Answer the first email properly."),
        (3, "Fine, we are looking elsewhere anyway.", "Stop closing tickets that are not solved."),
        (9, "Sad!", "A status page."),
    ]
    customers = list(Customer.objects.exclude(email="").order_by("pk")[: len(answers)])
    for customer, (score, feel, one_thing) in zip(customers, answers, strict=False):
        sent = now - timedelta(days=rng.randint(10, 50))
        [delivery] = outbox.deliveries_create([outbox.delivery_new_sent(
            kind="relationship_survey", sent_at=sent, recipient=customer.email, language=customer.language,
        )])
        survey = RelationshipSurvey.objects.create(
            customer=customer,
            language=customer.language,
            state=RelationshipSurvey.State.ANSWERED,
            delivery=delivery,
            sent_at=sent,
            expires_at=sent + timedelta(days=30),
            created_at=sent,
        )
        NpsResponse.objects.create(
            survey=survey,
            customer=customer,
            company=customer.company,
            score=score,
            if_unavailable=feel,
            one_thing=one_thing,
            answered_at=sent + timedelta(hours=rng.randint(1, 72)),
        )


def _relationship_surveys_sent(rng, now) -> None:
    """Every active customer not asked yet was sent the relationship survey in the last months (and
    most did not answer): none is due when beat's daily task first runs."""
    asked = RelationshipSurvey.objects.values("customer_id")
    customers = list(
        Customer.objects.filter(tickets__created_at__gte=now - timedelta(days=365)).exclude(email="")
        .exclude(pk__in=asked).distinct().order_by("pk").values_list("pk", "language", "email")
    )
    interval_days = 365 // surveys_per_year()
    rows, deliveries = [], []
    for customer_id, language, email in customers:
        sent = now - timedelta(days=rng.uniform(3, max(4, min(120, interval_days - 30))))
        expires = sent + timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
        deliveries.append(outbox.delivery_new_sent(kind="relationship_survey", sent_at=sent, recipient=email,
                                                   language=language or "en"))
        rows.append(RelationshipSurvey(
            customer_id=customer_id, language=language or "en", sent_at=sent,
            state=RelationshipSurvey.State.SENT if expires > now else RelationshipSurvey.State.EXPIRED,
            expires_at=expires, created_at=sent,
        ))
    for survey, delivery in zip(rows, outbox.deliveries_create(deliveries), strict=True):
        survey.delivery = delivery
    RelationshipSurvey.objects.bulk_create(rows)
