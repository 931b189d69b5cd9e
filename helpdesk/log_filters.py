"""Keep the periodic sweeps out of the INFO log unless they did something.

Beat runs the survey sweep every two seconds (and others every minute or five). At INFO, Celery writes
three lines per run (beat's "Sending due task", the worker's "received" and "succeeded"): hundreds of
lines in ten minutes, burying the web server's log and the work that matters. These records are lowered
to DEBUG for tasks in the beat schedule; a sweep's "succeeded" line stays at INFO when its result shows
it did something (any non-zero count), so real work is still seen at INFO.
"""

import ast
import logging
from collections.abc import Iterable

from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

BEAT_DISPATCH = "Scheduler: Sending due task %s (%s)"  # celery.beat.Scheduler.apply_entry


def _scheduled_task_names() -> frozenset[str]:
    from helpdesk.celery import app

    return frozenset(entry["task"] for entry in app.conf.beat_schedule.values())


def did_nothing(value) -> bool:
    """True for a result with no truthy leaf: 0, None, {}, {"batches": 0}, [0, 0]."""
    if isinstance(value, dict):
        return all(did_nothing(v) for v in value.values())
    if isinstance(value, list | tuple | set):
        return all(did_nothing(v) for v in value)
    return not value


def _result_of(return_repr: str):
    try:
        return ast.literal_eval(return_repr)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return return_repr  # not a plain value: something was returned, keep the line


class QuietSweeps(logging.Filter):
    """Attached (settings.LOGGING) to the loggers of beat's dispatch, the worker's receipt and the task
    trace. Lowers their INFO lines about scheduled tasks to DEBUG, except a result that shows work."""

    def __init__(self, task_names: Iterable[str] | None = None):
        super().__init__()
        self._task_names = frozenset(task_names) if task_names is not None else None

    @property
    def task_names(self) -> frozenset[str]:
        if self._task_names is None:  # the schedule is complete only once Celery is configured
            self._task_names = _scheduled_task_names()
        return self._task_names

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not self._is_idle_sweep(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)

    def _is_idle_sweep(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg == BEAT_DISPATCH:
            return args[1] in self.task_names  # (entry name, task name)
        if not isinstance(args, dict) or args.get("name") not in self.task_names:
            return False
        if record.msg == LOG_RECEIVED:
            return True
        if record.msg == LOG_SUCCESS:
            return did_nothing(_result_of(str(args["return_value"])))
        return False
