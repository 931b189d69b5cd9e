"""Optional per-phase timing of the SLA sweep, for the benchmark (off unless someone collects)."""

import contextlib
import contextvars
import time

_collector: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escalation_phases", default=None)


@contextlib.contextmanager
def collect():
    """Inside this block `phase(name)` adds its elapsed seconds to the yielded dict."""
    totals: dict[str, float] = {}
    token = _collector.set(totals)
    try:
        yield totals
    finally:
        _collector.reset(token)


@contextlib.contextmanager
def phase(name: str):
    totals = _collector.get()
    if totals is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
