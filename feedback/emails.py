"""The feedback app's emails: the post-ticket survey and the relationship survey, as kinds of the outbox.

The outbox (`outbox.services`) claims, sends, retries and fails the rows; these kinds say what each
email is (Django templates, rendered in the customer's language) and keep the survey rows' state in
step with their deliveries (through `feedback.services.surveys`, the surveys' only writer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from feedback.models import STAR_LABELS, RelationshipSurvey, Survey
from feedback.services import relationship, survey_lifecycle
from feedback.tokens import relationship_token_for, survey_token_for
from outbox.kinds import Cancel, Kind
from outbox.messages import OutboxEmail
from tickets.email_trust import desk_message_id

SENDABLE_TICKET_STATES = ("resolved", "closed")


def survey_message_id(survey) -> str:
    """Deterministic: a re-send of the same survey carries the same Message-ID (receivers dedupe on it).
    Signed by the desk (`tickets.email_trust`): the customer's answer by email threads onto the ticket."""
    return desk_message_id(f"v{survey.pk}", reference=survey.ticket.reference)


def relationship_message_id(survey) -> str:
    return desk_message_id(f"rel{survey.pk}")


def survey_url(survey, *, stars: int | None = None, token: str | None = None) -> str:
    """The survey page's absolute URL (plus ?stars=n for a star link)."""
    path = reverse("feedback:survey", args=[survey.ticket.reference, token or survey_token_for(survey)])
    return settings.SITE_URL.rstrip("/") + path + (f"?stars={stars}" if stars else "")


def _star_links(url: str) -> list[tuple[int, str, str]]:
    return [(n, STAR_LABELS[n], f"{url}?stars={n}") for n in (5, 4, 3, 2, 1)]


def _agent_name(survey) -> str:
    agent = survey.agent
    return (agent.get_full_name() or agent.get_username()) if agent else ""


def build_survey_email(survey, *, message_id: str = "", rendered: dict | None = None) -> OutboxEmail:
    """The survey email in the customer's language: five star links (D2) and a link to the page.

    `rendered` caches the templates (`_rendered_templates`: for the worker's life, or the batch's with
    DEBUG): they are rendered once per language (and with or without an agent's name) with placeholders, and
    each survey's values are filled in, escaped for the HTML part. The survey benchmark showed rendering the
    three templates per message as a third of a worker's time."""
    url = survey_url(survey)  # one signature and one reverse for the six links
    language = survey.language
    agent_name = _agent_name(survey)
    key = (language, bool(agent_name))
    templates = (rendered if rendered is not None else {}).get(key)
    if templates is None:
        templates = _survey_templates(language, with_agent=bool(agent_name))
        if rendered is not None:
            rendered[key] = templates
    values = {"name": survey.customer.name, "reference": survey.ticket.reference, "subject": survey.ticket.subject,
              "agent": agent_name, "url": url}
    message = OutboxEmail(
        subject=" ".join(_filled(templates["subject"], values).split()),
        body=_filled(templates["text"], values),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[survey.customer.email],
        headers={
            "Message-ID": message_id or survey_message_id(survey),
            "Content-Language": templates["language"],
            "Auto-Submitted": "auto-generated",
            "X-Delightdesk-Survey": str(survey.pk),
        },
    )
    message.attach_alternative(_filled(templates["html"], values, escape_values=True), "text/html")
    return message


_PROCESS_TEMPLATES: dict = {}


def _rendered_templates() -> dict:
    """Where a batch keeps the rendered templates: for the worker process's life (they depend only on the
    language, the template files and the catalogues, which a deploy restarts the worker for; one ticket
    resolved at a time makes batches of one, which would render all three each time), or, with DEBUG, for
    the batch only, so that an edited template shows in the next email."""
    return {} if settings.DEBUG else _PROCESS_TEMPLATES


@receiver(setting_changed)
def _forget_rendered_templates(**kwargs) -> None:  # tests that change languages or templates
    _PROCESS_TEMPLATES.clear()


def _slot(name: str) -> str:
    return f"\x00{name}\x00"  # never in a person's text: Django's forms refuse NUL characters


_SLOT = re.compile("\x00(name|reference|subject|agent|url)\x00")


def _survey_templates(language: str, *, with_agent: bool) -> dict[str, str]:
    """The three templates of the survey email rendered in `language` with a placeholder for each value."""
    url = _slot("url")
    with translation.override(language):
        context = {
            "customer": {"name": _slot("name")},
            "ticket": {"reference": _slot("reference"), "subject": _slot("subject")},
            "agent_name": _slot("agent") if with_agent else "",
            "star_links": _star_links(url),
            "survey_url": url,
            "language": translation.get_language(),
        }
        return {
            "subject": render_to_string("feedback/email/survey_subject.txt", context),
            "text": render_to_string("feedback/email/survey.txt", context),
            "html": render_to_string("feedback/email/survey.html", context),
            "language": context["language"],
        }


def _filled(template: str, values: dict[str, str], *, escape_values: bool = False) -> str:
    """One pass over the placeholders: a value is never scanned for another placeholder."""
    if escape_values:
        return _SLOT.sub(lambda match: escape(values[match.group(1)]), template)
    return _SLOT.sub(lambda match: values[match.group(1)], template)


def build_relationship_email(survey) -> OutboxEmail:
    with translation.override(survey.language):
        path = reverse("feedback:relationship_survey", args=[relationship_token_for(survey)])
        context = {
            "survey": survey,
            "customer": survey.customer,
            "url": settings.SITE_URL.rstrip("/") + path,
            "scores": range(11),
        }
        subject = " ".join(render_to_string("feedback/email/relationship_subject.txt", context).split())
        text = render_to_string("feedback/email/relationship.txt", context)
        language = translation.get_language()
    return OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[survey.customer.email],
        headers={
            "Message-ID": relationship_message_id(survey),
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
    )


class SurveyKind(Kind):
    name = "survey"
    label = _("Survey after a ticket")
    cancel_reasons = {
        "reopened": _("The ticket was reopened"),
        "answered": _("Rated from the ticket page first"),
        "skipped": _("The survey was skipped"),
    }

    def build(self, deliveries: Sequence) -> dict:
        surveys = (
            Survey.objects.filter(delivery_id__in=[d.pk for d in deliveries])
            .select_related("ticket", "customer", "agent")
            .only(
                *(f.name for f in Survey._meta.concrete_fields),
                "ticket__reference", "ticket__subject", "ticket__status", "customer__name", "customer__email",
                "customer__language", "agent__first_name", "agent__last_name", "agent__username",
            )
        )
        built: dict = {}
        rendered = _rendered_templates()
        for survey in surveys:
            if survey.state == Survey.State.ANSWERED:
                built[survey.delivery_id] = Cancel("answered")
            elif survey.state != Survey.State.SCHEDULED:
                built[survey.delivery_id] = Cancel("skipped")
            elif survey.ticket.status not in SENDABLE_TICKET_STATES:
                built[survey.delivery_id] = Cancel("reopened")
            else:
                built[survey.delivery_id] = build_survey_email(survey, rendered=rendered)
        return built

    def sent(self, delivery_ids: list[int], at) -> None:
        survey_lifecycle.surveys_mark_sent(delivery_ids=delivery_ids, at=at)

    def cancelled(self, codes: dict[int, str]) -> None:
        survey_lifecycle.surveys_mark_reopened(delivery_ids=[pk for pk, code in codes.items() if code == "reopened"])

    def failed(self, delivery_ids: list[int]) -> None:
        survey_lifecycle.surveys_mark_failed(delivery_ids=delivery_ids)

    def retried(self, delivery_ids: list[int]) -> None:
        survey_lifecycle.surveys_mark_retried(delivery_ids=delivery_ids)


class RelationshipSurveyKind(Kind):
    name = "relationship_survey"
    label = _("Relationship survey")

    def build(self, deliveries: Sequence) -> dict:
        surveys = RelationshipSurvey.objects.filter(delivery_id__in=[d.pk for d in deliveries]).select_related(
            "customer"
        )
        return {
            survey.delivery_id: build_relationship_email(survey)
            if survey.state == RelationshipSurvey.State.SCHEDULED and survey.customer.email
            else Cancel("gone")
            for survey in surveys
        }

    def sent(self, delivery_ids: list[int], at) -> None:
        relationship.relationship_surveys_mark(delivery_ids=delivery_ids, state=RelationshipSurvey.State.SENT, at=at)

    def failed(self, delivery_ids: list[int]) -> None:
        relationship.relationship_surveys_mark(delivery_ids=delivery_ids, state=RelationshipSurvey.State.FAILED)

    def retried(self, delivery_ids: list[int]) -> None:
        relationship.relationship_surveys_mark(delivery_ids=delivery_ids, state=RelationshipSurvey.State.SCHEDULED)
