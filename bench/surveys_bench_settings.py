"""Settings of bench/surveys_bench.py's worker, beat and resolvers: the project's, with a short stale window.

A delivery claimed by a worker that was killed (or whose task died with the broker) is claimed again
after OUTBOX_CLAIM_STALE_SECONDS; production keeps the default (300 s), the benchmark waits less.
"""

from helpdesk.settings import *  # noqa: F403

OUTBOX_CLAIM_STALE_SECONDS = 20
