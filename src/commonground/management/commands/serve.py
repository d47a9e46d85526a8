from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

from commonground import jobs


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from commonground.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the site for production with gunicorn; choose the address with --bind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("BIND", "127.0.0.1:8000"),
            help="host:port or unix:/path/to.sock to listen on (default 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", (os.cpu_count() or 1) * 2 + 1)),
            help="How many worker processes (default: twice the cores, plus one).",
        )
        # One thread per process (gunicorn's sync workers) by default: the pages are
        # Python-bound, and each process takes its next request from the shared socket
        # only when free, where a threaded process keeps every connection it accepted
        # waiting behind its own busy threads. Slow clients are the proxy's to buffer
        # (docs/operations.md).
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", 1)),
            help="Threads per worker process (default 1; more suits slow clients with no "
            "buffering proxy in front).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            self.stdout.write(f"Collecting static files into {settings.STATIC_ROOT} (first run).")
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving Common Ground on {options['bind']}.")
        # Without Celery beat, the parts' periodic jobs run in this (master) process.
        jobs.start()
        _Gunicorn(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
        ).run()
