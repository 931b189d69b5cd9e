"""Settings of bench/surveys_bench.py's worker, beat and resolvers: the project's, with a short stale window.

A survey claimed by the beat whose task died with a killed worker (or with the broker) is claimed
again after SURVEY_CLAIM_STALE_SECONDS; production keeps the default (300 s), the benchmark waits less.
"""

from helpdesk.settings import *  # noqa: F403

SURVEY_CLAIM_STALE_SECONDS = 20
