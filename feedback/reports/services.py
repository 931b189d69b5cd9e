"""The weekly summary email to supervisors and admins, in their own language."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from feedback import metrics
from feedback.metrics import ReportFilter
from tickets.roles import Role, role_of

logger = logging.getLogger(__name__)

SENT_MARK_SECONDS = 14 * 24 * 3600


def weekly_summary_recipients() -> list[int]:
    """Active supervisors and admins with an email address (one query)."""
    roles = [Role.SUPERVISOR.value, Role.ADMIN.value]
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name__in=roles)).distinct().order_by("id")
    return list(users.values_list("id", flat=True))


def weekly_summary_content(user, week_start: dt.date) -> dict:
    """The figures of the week (Monday to Sunday) for the user's scope, and the 12-week correlation."""
    week = ReportFilter(date_from=week_start, date_to=week_start + dt.timedelta(days=6))
    before = week.with_(date_from=week_start - dt.timedelta(weeks=1), date_to=week_start - dt.timedelta(days=1))
    quarter = week.with_(date_from=week_start - dt.timedelta(weeks=11))
    total = metrics.totals(metrics.csat_by_group(user, week, "all"))
    previous = metrics.totals(metrics.csat_by_group(user, before, "all"))
    asat = (metrics.asat_by_group(user, week) or [None])[0]
    correlation = metrics.correlation_report(user, quarter, with_points=False)
    revenue = metrics.revenue_at_risk_report(user, week, total["csat"])
    url = settings.SITE_URL.rstrip("/") + reverse("feedback:dashboard") + "?" + urlencode(quarter.as_params())
    return {
        "week": week,
        "total": total,
        "previous": previous,
        "asat": asat,
        "correlation": correlation["same_week"],
        "revenue": revenue,
        "burnout": metrics.burnout_watch(user, quarter),
        "min_responses": metrics.min_responses(),
        "dashboard_url": url,
    }


def _language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def weekly_summary_send(*, user_id: int, week_start: dt.date) -> str:
    """Send one user's summary of one week, once. Returns sent, missing, not_allowed or already_sent.

    Idempotent by (user, week) through a mark in the shared cache (Redis in production), set before
    sending and removed if the send fails, so that a retry sends and a duplicate delivery does not.
    """
    user = get_user_model().objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("weekly summary: user %s no longer exists", user_id)
        return "missing"
    if role_of(user) not in (Role.SUPERVISOR, Role.ADMIN) or not user.email:
        return "not_allowed"
    mark = f"reports:weekly-summary:{user_id}:{week_start.isoformat()}"
    if not cache.add(mark, "1", SENT_MARK_SECONDS):
        return "already_sent"
    try:
        with translation.override(_language_of(user)):
            context = {"user": user, **weekly_summary_content(user, week_start)}
            subject = " ".join(render_to_string("feedback/reports/email/weekly_subject.txt", context).split())
            text = render_to_string("feedback/reports/email/weekly.txt", context)
            html = render_to_string("feedback/reports/email/weekly.html", context)
            language = translation.get_language()
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        message.send(fail_silently=False)
    except Exception:
        cache.delete(mark)
        raise
    return "sent"
