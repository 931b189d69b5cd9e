"""Data the journeys start from, built through the product's own services (never raw rows)."""

from django.conf import settings

from tests import factories
from tickets import services
from tickets.models import Ticket
from tickets.tokens import follow_token_for


def follow_url(ticket: Ticket) -> str:
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse("tickets:follow", args=[follow_token_for(ticket)])


def answered_ticket(*, queue, agent, customer=None, subject="Poster arrived creased") -> Ticket:
    """A ticket an agent took and answered publicly."""
    ticket = factories.TicketFactory(queue=queue, customer=customer or factories.CustomerFactory(), subject=subject)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.message_add(ticket=ticket, body="Sorry about that! A new print is on its way.", author_user=agent)
    ticket.refresh_from_db()
    return ticket


def resolved_ticket_with_sent_survey(*, queue, agent, customer=None, subject="Poster arrived creased"):
    """(ticket, survey): resolved by the agent, its survey sent (the feedback app's own services)."""
    from feedback import services as feedback_services
    from feedback.models import Survey

    ticket = answered_ticket(queue=queue, agent=agent, customer=customer, subject=subject)
    services.ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=agent)
    survey = Survey.objects.get(ticket=ticket)
    feedback_services.survey_send(survey_id=survey.pk, now=survey.due_at)
    survey.refresh_from_db()
    return ticket, survey


def survey_link(survey, *, stars: int | None = None) -> str:
    from feedback.emails import survey_url

    return survey_url(survey, stars=stars)


class Desk:
    """One team with a default queue, an agent and their supervisor, and authority limits (D6):
    the agent may refund up to 20 EUR alone, the supervisor up to 200 EUR. The team works around the
    clock, so that escalations route to the supervisor whenever the suite runs (routing skips people
    off shift)."""

    AGENT_REFUND_LIMIT = 20
    SUPERVISOR_REFUND_LIMIT = 200

    def __init__(self):
        from datetime import time

        from escalation.models import AuthorityLimit, RemedyKind, TeamCalendar, WorkingPeriod

        self.team = factories.TeamFactory(name="Prints", slug="prints")
        self.queue = factories.QueueFactory(team=self.team, name="Orders", slug="orders", is_default=True)
        self.agent = factories.agent_in(self.team, username="anna", first_name="Anna", last_name="Agent")
        self.supervisor = factories.supervisor_of(self.team, username="sven", first_name="Sven",
                                                  last_name="Supervisor")
        calendar = TeamCalendar.objects.create(team=self.team, time_zone="Europe/Tallinn")
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(calendar=calendar, weekday=day, start=time(0), end=time(0)) for day in range(7)
        )
        AuthorityLimit.objects.create(role="agent", kind=RemedyKind.REFUND, max_amount=self.AGENT_REFUND_LIMIT)
        AuthorityLimit.objects.create(role="supervisor", kind=RemedyKind.REFUND,
                                      max_amount=self.SUPERVISOR_REFUND_LIMIT)

    def ticket(self, *, subject: str, kind=Ticket.Kind.QUESTION, priority=Ticket.Priority.NORMAL, customer=None,
               description="Something is not working as I expected."):
        return factories.TicketFactory(queue=self.queue, subject=subject, kind=kind, priority=priority,
                                       description=description,
                                       customer=customer or factories.CustomerFactory())

    def propose_refund(self, ticket: Ticket, amount: int, reason: str = ""):
        from escalation.models import RemedyKind
        from escalation.services.remedies import remedy_propose

        return remedy_propose(ticket=ticket, kind=RemedyKind.REFUND, amount=amount, actor=self.agent, reason=reason)
