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
