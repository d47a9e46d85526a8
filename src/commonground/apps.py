from __future__ import annotations

from django.apps import AppConfig


class CommonGroundConfig(AppConfig):
    """The project package itself: base templates, static files, CLI commands."""

    name = "commonground"
    verbose_name = "Common Ground"
