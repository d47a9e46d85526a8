from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "commonground.api"
    verbose_name = "JSON API"
