from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "commonground.accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        # Each part declares what it holds about people in its personal_data.py, and
        # who may do what with its objects in its rules.py (see access.py).
        autodiscover_modules("personal_data")
        autodiscover_modules("rules")
