"""Recompute the report rollups from the ratings and surveys (after a bulk load, a restore or deletions)."""

import time

from django.core.management.base import BaseCommand

from feedback import rollup


class Command(BaseCommand):
    help = "Recompute the rating rollup tables the reports read, in SQL, in one transaction."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rollup.rollup_rebuild()
        elapsed = time.perf_counter() - started
        sizes = ", ".join(f"{name} {rows:,} rows" for name, rows in rollup.rollup_sizes().items())
        self.stdout.write(f"Rollups rebuilt in {elapsed:.1f} s: {sizes}")
