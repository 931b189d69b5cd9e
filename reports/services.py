"""The weekly summary email to supervisors and admins, in their own language."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role, role_of
from accounts.selectors import users_with_role
from reports import figures
from reports.figures import ReportFilter
from reports.models import WeeklySummary
from tickets.email_trust import desk_message_id

logger = logging.getLogger(__name__)


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


def _build_summary(user, week_start: dt.date) -> EmailMultiAlternatives:
    with translation.override(_language_of(user)):
        context = {"user": user, **weekly_summary_content(user, week_start)}
        subject = " ".join(render_to_string("reports/email/weekly_subject.txt", context).split())
        text = render_to_string("reports/email/weekly.txt", context)
        html = render_to_string("reports/email/weekly.html", context)
        language = translation.get_language()
    message = EmailMultiAlternatives(
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


def weekly_summary_send(*, user_id: int, week_start: dt.date) -> str:
    """Send one user's summary of one week, once. Returns sent, missing, not_allowed, already_sent or
    locked (another worker is sending it right now); raises the mail error after recording it.

    Idempotent by (recipient, week) through an outbox row (`WeeklySummary`), committed as pending
    BEFORE sending. The row is then locked for the send (PostgreSQL: a duplicate delivery running at
    the same time skips it; one running later finds it sent). A worker killed mid-send rolls back and
    leaves the row pending for the redelivered task (acks_late); an SMTP failure is recorded on the row
    (failed, last_error, attempts) and re-raised so that the task retries with backoff.
    """
    user = get_user_model().objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("weekly summary: user %s no longer exists", user_id)
        return "missing"
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN) or not user.email:
        return "not_allowed"
    WeeklySummary.objects.get_or_create(recipient=user, week=week_start)  # committed: visible from now on
    error = None
    with transaction.atomic():
        queryset = WeeklySummary.objects.filter(recipient=user, week=week_start)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        summary = queryset.first()
        if summary is None:
            return "locked"
        if summary.state == WeeklySummary.State.SENT:
            return "already_sent"
        summary.attempts += 1
        try:
            _build_summary(user, week_start).send(fail_silently=False)
        except Exception as exc:
            summary.state = WeeklySummary.State.FAILED
            summary.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            summary.save(update_fields=["state", "attempts", "last_error"])
            logger.warning("weekly summary %s for %s failed: %s", week_start, user_id, exc)
            error = exc
        else:
            summary.state, summary.sent_at, summary.last_error = WeeklySummary.State.SENT, timezone.now(), ""
            summary.save(update_fields=["state", "attempts", "last_error", "sent_at"])
            return "sent"
    raise error


def weekly_summaries_to_retry(*, since: dt.date) -> list[tuple[int, dt.date]]:
    """(recipient, week) of the summaries still pending or failed since `since` (one query)."""
    rows = WeeklySummary.objects.filter(
        week__gte=since, state__in=[WeeklySummary.State.PENDING, WeeklySummary.State.FAILED]
    ).order_by("week", "recipient_id")
    return list(rows.values_list("recipient_id", "week"))
