"""Data for the report tests: Rating, Survey and AgentPulse rows written directly (reports only read them),
then counted into the report rollups by a rebuild, as after a bulk load.

Tickets that only carry ratings or pulses are bulk-created rows, not journeys through `ticket_create`:
the reports read the denormalised rating columns, and the tests need hundreds of them quickly.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Customer
from feedback import rollup
from feedback.models import AgentPulse, NpsResponse, Rating, Survey
from tests import factories
from tickets.models import Ticket


def aware(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def bare_tickets(*, queue, customer, count: int, kind: str = Ticket.Kind.QUESTION) -> list[Ticket]:
    return Ticket.objects.bulk_create(
        [
            Ticket(subject=f"t{i}", description="d", customer=customer, queue=queue, kind=kind, status="resolved")
            for i in range(count)
        ]
    )


def customer(*, company: str = "Purrfect Prints", monthly_spend=Decimal("100")) -> Customer:
    return factories.CustomerFactory(company=company, monthly_spend=monthly_spend)


def ratings(
    stars_list,
    *,
    queue,
    agent=None,
    day: dt.date,
    customer: Customer,
    kind: str = Ticket.Kind.QUESTION,
    company: str | None = None,
    unanswered: int = 0,
) -> list[Rating]:
    """One sent-and-answered survey with its rating per entry of `stars_list` (plus `unanswered` sent
    surveys without a rating), all on `day`, credited to `agent`, in `queue`."""
    when = aware(day)
    total = len(stars_list) + unanswered
    tickets = bare_tickets(queue=queue, customer=customer, count=total, kind=kind)  # one live survey per ticket
    surveys = Survey.objects.bulk_create(
        [
            Survey(
                ticket=tickets[i],
                queue=queue,
                customer=customer,
                agent=agent,
                state=Survey.State.ANSWERED if i < len(stars_list) else Survey.State.SENT,
                sent_at=when,
                answered_at=when if i < len(stars_list) else None,
                created_at=when,
            )
            for i in range(total)
        ]
    )
    created = Rating.objects.bulk_create(
        [
            Rating(
                survey=survey,
                ticket=survey.ticket,
                customer=customer,
                agent=agent,
                queue=queue,
                team_id=queue.team_id,
                ticket_kind=kind,
                company=customer.company if company is None else company,
                stars=stars,
                created_at=when,
                updated_at=when,
            )
            for survey, stars in zip(surveys, stars_list, strict=False)
        ]
    )
    rollup.rollup_rebuild()  # rows written directly, as a bulk load would: the reports read the rollup
    return created


def pulses(scores, *, agent, week: dt.date, queue, customer: Customer) -> list[AgentPulse]:
    """Ticket pulses of `agent` in the week starting on Monday `week` (one bare ticket each)."""
    tickets = bare_tickets(queue=queue, customer=customer, count=len(scores))
    when = aware(week)
    return AgentPulse.objects.bulk_create(
        [
            AgentPulse(
                agent=agent, ticket=t, kind=AgentPulse.Kind.TICKET, score=s, week=week, created_at=when,
                answered_at=when,
            )
            for t, s in zip(tickets, scores, strict=True)
        ]
    )


def nps(scores, *, customer: Customer, day: dt.date, company: str | None = None) -> list[NpsResponse]:
    return NpsResponse.objects.bulk_create(
        [
            NpsResponse(
                customer=customer,
                company=customer.company if company is None else company,
                score=s,
                answered_at=aware(day),
            )
            for s in scores
        ]
    )
