from __future__ import annotations

from django.apps import AppConfig


class CommonGroundConfig(AppConfig):
    """The project package itself: base templates, static files, CLI commands."""

    name = "commonground"
    verbose_name = "Common Ground"

    def ready(self) -> None:
        # Tasks (``shared_task``) are sent by the app that exists when they are first
        # used: it must exist in every process Django runs in (server, CLI, workers).
        from commonground import celery  # noqa: F401
