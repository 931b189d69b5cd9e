"""The Celery application, and the one way the apps hand work to it."""

import logging
import os

from celery import Celery
from django.db import transaction

from helpdesk import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
broker.register()  # the embedded broker's URL scheme (ddfilesystem://), before any connection

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@app.task(name="helpdesk.ping")
def ping() -> str:
    """A task with no side effects: proves a worker is consuming from the configured broker."""
    return "pong"


def enqueue(task, *args, **kwargs) -> bool:
    """Publish a task now; never raise. Returns False when the broker refused it.

    Every task that matters is backed by a row (an outbox) that a periodic task re-enqueues,
    so a broker outage delays work but must not fail the request that caused it.
    """
    return enqueue_in(0, task, *args, **kwargs)


def enqueue_in(seconds: float, task, *args, **kwargs) -> bool:
    """`enqueue`, run in `seconds` (a second or two at most: a countdown longer than the broker's
    visibility timeout is delivered twice, and the row, not the countdown, is what must not be lost)."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False, countdown=seconds or None)
    except Exception:
        logger.warning("broker unavailable: %s not enqueued (the outbox sweep will retry)", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish a task once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


@app.on_after_configure.connect
def _collect_beat_schedules(sender, **kwargs) -> None:
    """Each app declares its periodic tasks in `<app>/beat.py` as `SCHEDULE = {...}`."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    for name in settings.INSTALLED_APPS:
        module_name = f"{name}.beat"
        if "." not in name and find_spec(name) is not None and find_spec(module_name) is not None:
            sender.conf.beat_schedule.update(import_module(module_name).SCHEDULE)
