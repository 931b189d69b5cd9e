"""A real Celery worker consumes from the configured broker (filesystem locally, Redis in CI)."""

import pytest

from helpdesk.celery import app, enqueue, ping


@pytest.mark.worker
def test_real_worker_completes_a_task_from_the_configured_broker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"


def _switch_broker(url: str) -> None:
    """Point the app at another broker: Celery caches the connection pool and the producer pool it
    made from the first URL, so both are dropped (else a warm pool keeps publishing to the old one)."""
    app.pool.force_close_all()
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_enqueue_reports_a_broker_outage_instead_of_raising():
    original = app.conf.broker_url
    _switch_broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        assert enqueue(ping) is False
    finally:
        _switch_broker(original)
