from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.celery import app


class Command(BaseCommand):
    help = "Run a Celery worker that carries out background tasks (needs REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=0, help="Tasks at once (default: one per core)."
        )
        parser.add_argument("--queues", default="", help="Comma-separated queues to take from.")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--hostname",
            default="",
            help="This worker's name, e.g. harvest-2@%%h, when one machine runs several.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set, so background tasks already run inside the web "
                "process and there is nothing for a worker to do. Set REDIS_URL to use workers."
            )
        argv = ["worker", f"--loglevel={options['loglevel']}"]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        if options["queues"]:
            argv.append(f"--queues={options['queues']}")
        if options["hostname"]:
            argv.append(f"--hostname={options['hostname']}")
        app.worker_main(argv)
