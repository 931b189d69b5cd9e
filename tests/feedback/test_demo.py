"""feedback.demo: answered surveys and ratings for the demo's resolved tickets, idempotent, no email."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback.models import AgentPulse, Rating, Survey
from tests.feedback import helpers as ff

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
pytestmark = pytest.mark.django_db


def _seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", tickets=40, no_progress=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seeding_twice_creates_the_feedback_data_once_and_sends_no_email(seeded_demo, settings):
    first = (Survey.objects.count(), Rating.objects.count(), AgentPulse.objects.count())
    _seed(settings)
    assert (Survey.objects.count(), Rating.objects.count(), AgentPulse.objects.count()) == first
    assert first[1] > 0 and first[2] > 0
    assert not [m for m in seeded_demo.mail + mail.outbox if "X-Delightdesk-Survey" in m.extra_headers]
    # History: sent and answered, or left unanswered and expired once their link lapsed (the nightly task's work).
    assert set(Survey.objects.values_list("state", flat=True)) <= {"answered", "sent", "expired"}
    assert not Survey.objects.filter(state="sent", expires_at__lt=timezone.now()).exists()


def test_seeding_counts_the_demo_ratings_in_the_report_rollups(seeded_demo):
    from feedback.models import RatingRollupAgent

    counted = sum(RatingRollupAgent.objects.values_list("n", flat=True))
    sent = sum(RatingRollupAgent.objects.values_list("sent", flat=True))
    assert counted == Rating.objects.count() > 0
    assert sent == Survey.objects.filter(sent_at__isnull=False).count()
