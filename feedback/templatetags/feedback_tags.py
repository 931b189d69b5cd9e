"""Inclusion tags that fill the feedback hooks on pages other apps own."""

from django import template

from accounts.roles import STAFF_ROLES, role_of
from feedback.forms import PulseForm, RatingForm, follow_up_question
from feedback.models import AgentPulse, Survey
from feedback.services import survey_for_follow_page
from feedback.tokens import survey_token_for

register = template.Library()


@register.inclusion_tag("feedback/_ticket_panel_body.html", takes_context=True)
def feedback_ticket_panel(context) -> dict:
    """On the agent's ticket page: the survey's state and rating, and the viewer's own pending pulse."""
    ticket = context.get("ticket")
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or role_of(user) not in STAFF_ROLES:
        return {"show": False}
    survey = (
        Survey.objects.filter(ticket=ticket).select_related("rating", "agent", "delivery")
        .order_by("-created_at", "-id").first()
    )
    pulse = AgentPulse.objects.filter(agent=user, ticket=ticket, kind=AgentPulse.Kind.TICKET).first()
    return {
        "show": True,
        "ticket": ticket,
        "survey": survey,
        "rating": getattr(survey, "rating", None) if survey else None,
        "pulse": pulse,
        "pulse_form": PulseForm(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("feedback/_follow_panel_body.html", takes_context=True)
def feedback_follow_panel(context) -> dict:
    """On the customer's private follow page: rate the ticket (posts to the survey page)."""
    ticket = context.get("ticket")
    if ticket is None:
        return {"show": False}
    survey = survey_for_follow_page(ticket=ticket)
    if survey is None:
        return {"show": False}
    rating = getattr(survey, "rating", None)
    initial = {"stars": rating.stars, "comment": rating.comment, "follow_up": rating.follow_up} if rating else {}
    return {
        "show": True,
        "ticket": ticket,
        "survey": survey,
        "rating": rating,
        "token": survey_token_for(survey),
        "form": RatingForm(initial=initial, stars=initial.get("stars")),
        "questions": {"good": str(follow_up_question(5)), "bad": str(follow_up_question(1))},
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("feedback/_customer_panel_body.html", takes_context=True)
def feedback_customer_panel(context) -> dict:
    """In the customer box of the agent's ticket page: how this customer rated us so far (two queries)."""
    from django.db.models import Avg, Count

    from feedback.models import Rating

    ticket = context.get("ticket")
    customer = context.get("customer") or getattr(ticket, "customer", None)
    request = context.get("request")
    if customer is None or role_of(getattr(request, "user", None)) not in STAFF_ROLES:
        return {"show": False}
    ratings = Rating.objects.filter(customer=customer)
    summary = ratings.aggregate(n=Count("id"), average=Avg("stars"))
    recent = list(ratings.select_related("ticket").order_by("-created_at", "-id")[:3]) if summary["n"] else []
    return {"show": True, "summary": summary, "recent": recent}
