"""A real Celery worker consumes from the configured broker (filesystem locally, Redis in CI)."""

import pytest

from helpdesk.celery import app, enqueue, ping


@pytest.mark.worker
def test_real_worker_completes_a_task_from_the_configured_broker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"


def test_enqueue_reports_a_broker_outage_instead_of_raising():
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.pool.force_close_all()
    try:
        assert enqueue(ping) is False
    finally:
        app.conf.broker_url = original
        app.pool.force_close_all()
