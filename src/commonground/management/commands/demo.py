from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from commonground import jobs
from commonground.cli import OWN_COMMANDS


class Command(BaseCommand):
    help = OWN_COMMANDS["demo"]

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
        admin_status = ""
        # Each part may have a demo.py whose load() adds its content; existing content is kept.
        for config in apps.get_app_configs():
            if not config.name.startswith("commonground"):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            result = module.load(addr=options["addr"])
            if config.name == "commonground.accounts":
                admin_status = result
        self.stdout.write("Demonstration content is loaded.\n")
        host = options["addr"]
        self.stdout.write(self.style.SUCCESS(f"Common Ground: http://{host}/"))
        self.stdout.write(admin_status)
        if options["no_serve"]:
            return
        self.stdout.write("Press Ctrl-C to stop.\n")
        # The periodic jobs run now (the demo hubs' feeds are served by this server, so
        # once it answers) and then at their intervals.
        jobs.start(wait_for=host, first_now=True)
        call_command("runserver", host, use_reloader=False, use_threading=True)
