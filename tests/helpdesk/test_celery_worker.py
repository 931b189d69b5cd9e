"""A real Celery worker consumes from the configured broker (filesystem locally, Redis in CI)."""

import pytest
from django.conf import settings

from helpdesk.celery import app, enqueue, ping


@pytest.mark.worker
def test_real_worker_completes_a_task_from_the_configured_broker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"


def _switch_broker(url: str, transport_options: dict) -> None:
    """Point the app at another broker: Celery caches the connection pool and the producer pool it
    made from the first URL, so both are dropped (else a warm pool keeps publishing to the old one)."""
    app.pool.force_close_all()
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options
    app._pool = None
    app.amqp._producer_pool = None


def test_enqueue_reports_a_redis_outage_instead_of_raising():
    """With production's Redis options (whatever broker this run has), as a web request meets a Redis that is down."""
    original = app.conf.broker_url, app.conf.broker_transport_options
    _switch_broker("redis://127.0.0.1:1/0", settings.REDIS_BROKER_TRANSPORT_OPTIONS)  # nothing listens on port 1
    try:
        assert enqueue(ping) is False
    finally:
        _switch_broker(*original)
