from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground import jobs
from commonground.celery import app


class Command(BaseCommand):
    help = (
        "Run the Celery beat scheduler that queues each part's periodic jobs "
        "(needs REDIS_URL; run one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set. Periodic tasks need a broker to queue them on; "
                "set REDIS_URL and run this once (only once) across all your machines."
            )
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        schedule = settings.DATA_DIR / "celerybeat-schedule"
        # Each part registered its jobs when its app was ready (commonground/jobs.py).
        app.conf.beat_schedule = jobs.beat_schedule()
        app.start(["beat", f"--loglevel={options['loglevel']}", f"--schedule={schedule}"])
