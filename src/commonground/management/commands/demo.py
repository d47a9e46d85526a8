from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from commonground import jobs, parts


class Command(BaseCommand):
    help = (
        "Start Common Ground on this machine with demonstration content, "
        "at http://127.0.0.1:8000, until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address and port to serve on."
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the database and demonstration content, then stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Using the database at {settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("The database is up to date.")
        # Each part's loader adds its content (keeping what is there) and may say something.
        lines = [load(addr=options["addr"]) for load in parts.demo_loaders()]
        self.stdout.write("Demonstration content is loaded.\n")
        host = options["addr"]
        self.stdout.write(self.style.SUCCESS(f"Common Ground: http://{host}/"))
        for line in lines:
            if line:
                self.stdout.write(line)
        if options["no_serve"]:
            return
        self.stdout.write("Press Ctrl-C to stop.\n")
        # The parts' periodic jobs run now (the demo hubs' feeds are served by this server,
        # so once it answers) and then at their intervals.
        jobs.start(wait_for=host, first_now=True)
        call_command("runserver", host, use_reloader=False, use_threading=True)
