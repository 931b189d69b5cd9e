"""Load the demo desk: people, teams, queues and a few hundred tickets, then each app's own demo data.

Each installed app may have a `demo` module with `seed(command) -> None`; they run in
INSTALLED_APPS order, so later apps build on earlier ones. Every step is idempotent. `command.rng` is one
random source for them all, drawn from in that order, so the same --seed gives the same desk.
"""

import random
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load demo data (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a live desk).")
        parser.add_argument("--tickets", type=int, default=300, help="How many demo tickets (default 300).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed, for repeatable data.")
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates demo users with known passwords: it runs only with DEBUG on, "
                               "or with --force.")
        self.options = options
        self.rng = random.Random(options["seed"])
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            self.stdout.write(f"{app_config.verbose_name}:")
            started = time.monotonic()
            import_module(module_name).seed(self)
            self.stdout.write(f"  ({time.monotonic() - started:.1f} s)")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins: admin, supervisor, agent, customer "
                                             "(password: demo)."))

    def progress(self, iterable, description: str, total: int | None = None):
        from tqdm import tqdm

        return tqdm(iterable, desc=f"  {description}", total=total, disable=self.options["no_progress"],
                    file=self.stdout, ncols=80)
