"""The weekly summary email to supervisors and admins, in their own language.

The Monday beat writes one `WeeklySummary` per recipient for last week, each with its delivery in the
outbox (`weekly_summaries_schedule`, idempotent); the outbox sends it, retries it with backoff and
shows its failure, and `WeeklySummaryKind` says what the email is when it goes out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, role_of
from accounts.selectors import users_with_role
from outbox import services as outbox
from outbox.kinds import Cancel, Kind
from outbox.messages import OutboxEmail
from reports import figures
from reports.figures import ReportFilter
from reports.models import WeeklySummary
from tickets.email_trust import desk_message_id

logger = logging.getLogger(__name__)
KIND = "weekly_summary"


def weekly_summary_recipients() -> list[int]:
    """Active supervisors and admins with an email address (one query)."""
    users = users_with_role(Role.SUPERVISOR, Role.ADMIN).filter(is_active=True).exclude(email="").order_by("id")
    return list(users.values_list("id", flat=True))


def weekly_summary_content(user, week_start: dt.date) -> dict:
    """The figures of the week (Monday to Sunday) for the user's scope, and the 12-week correlation."""
    week = ReportFilter(date_from=week_start, date_to=week_start + dt.timedelta(days=6))
    before = week.with_(date_from=week_start - dt.timedelta(weeks=1), date_to=week_start - dt.timedelta(days=1))
    quarter = week.with_(date_from=week_start - dt.timedelta(weeks=11))
    total = figures.totals(figures.csat_by_group(user, week, "all"))
    previous = figures.totals(figures.csat_by_group(user, before, "all"))
    asat = (figures.asat_by_group(user, week) or [None])[0]
    correlation = figures.correlation_report(user, quarter, with_points=False)
    revenue = figures.revenue_at_risk_report(user, week, total["csat"])
    url = settings.SITE_URL.rstrip("/") + reverse("reports:dashboard") + "?" + urlencode(quarter.as_params())
    return {
        "week": week,
        "total": total,
        "previous": previous,
        "asat": asat,
        "correlation": correlation["same_week"],
        "revenue": revenue,
        "burnout": figures.burnout_watch(user, quarter),
        "min_responses": figures.min_responses(),
        "dashboard_url": url,
    }


def _language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def summary_message_id(user_id: int, week_start: dt.date) -> str:
    """Deterministic: a re-send of the same summary carries the same Message-ID (receivers dedupe on it)."""
    return desk_message_id(f"week{user_id}-{week_start.isoformat()}")


def _build_summary(user, week_start: dt.date) -> OutboxEmail:
    with translation.override(_language_of(user)):
        context = {"user": user, **weekly_summary_content(user, week_start)}
        subject = " ".join(render_to_string("reports/email/weekly_subject.txt", context).split())
        text = render_to_string("reports/email/weekly.txt", context)
        html = render_to_string("reports/email/weekly.html", context)
        language = translation.get_language()
    message = OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
            "Message-ID": summary_message_id(user.pk, week_start),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


class WeeklySummaryKind(Kind):
    """The weekly summary, built when it goes out from the figures of its week in the recipient's
    current language; cancelled when the recipient no longer gets summaries (deactivated, no longer a
    supervisor or admin, no address). A recipient deleted meanwhile took the summary with it: its
    delivery is cancelled as gone."""

    name = KIND
    label = _("Weekly summary")
    cancel_reasons = {"not_allowed": _("No longer a supervisor or admin"), "no_email": _("No email address")}

    def build(self, deliveries: Sequence) -> dict:
        summaries = list(WeeklySummary.objects.filter(delivery_id__in=[d.pk for d in deliveries])
                         .select_related("recipient__profile"))
        allowed = set(users_with_role(Role.SUPERVISOR, Role.ADMIN).filter(
            is_active=True, pk__in=[summary.recipient_id for summary in summaries]).values_list("pk", flat=True))
        built: dict = {}
        for summary in summaries:
            if summary.recipient_id not in allowed:
                built[summary.delivery_id] = Cancel("not_allowed")
            elif not summary.recipient.email:
                built[summary.delivery_id] = Cancel("no_email")
            else:
                built[summary.delivery_id] = _build_summary(summary.recipient, summary.week)
        return built


def weekly_summaries_schedule(*, week_start: dt.date, user_ids: Iterable[int] | None = None) -> int:
    """Write the week's summary, with its delivery in the outbox, for every recipient (or those of
    `user_ids` among them) who has none yet. Idempotent: a second run writes nothing. Returns how many
    were written. A fixed number of queries whatever the number of recipients."""
    recipients = get_user_model().objects.filter(pk__in=weekly_summary_recipients()).select_related("profile")
    if user_ids is not None:
        recipients = recipients.filter(pk__in=list(user_ids))
    users = {user.pk: user for user in recipients}
    if not users:
        return 0
    with transaction.atomic():
        WeeklySummary.objects.bulk_create([WeeklySummary(recipient_id=pk, week=week_start) for pk in users],
                                          ignore_conflicts=True)
        new = list(WeeklySummary.objects.select_for_update().filter(
            week=week_start, recipient_id__in=list(users), delivery__isnull=True).order_by("recipient_id"))
        deliveries = outbox.deliveries_create([
            outbox.delivery_new(kind=KIND, recipient=users[summary.recipient_id].email,
                                language=_language_of(users[summary.recipient_id]))
            for summary in new
        ])
        for summary, delivery in zip(new, deliveries, strict=True):
            summary.delivery = delivery
        WeeklySummary.objects.bulk_update(new, ["delivery"])
    return len(new)


def weekly_summary_send(*, user_id: int, week_start: dt.date) -> str:
    """Send one user's summary of one week now, once, through the outbox (its summary and delivery are
    written first if the beat has not). Returns sent, missing, not_allowed, already_sent, locked (a
    worker holds it right now), or, when the mail server refused it, retry (the outbox sends it again
    after its backoff) or failed (its attempts ran out: visible in the outbox's list)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("weekly summary: user %s no longer exists", user_id)
        return "missing"
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN) or not user.email:
        return "not_allowed"
    weekly_summaries_schedule(week_start=week_start, user_ids=[user.pk])
    delivery_id = (WeeklySummary.objects.filter(recipient=user, week=week_start)
                   .values_list("delivery_id", flat=True).first())
    outcome = outbox.delivery_send(delivery_id=delivery_id)
    return outcome.replace("already ", "already_")
