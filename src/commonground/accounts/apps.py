from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from commonground import jobs


class AccountsConfig(AppConfig):
    name = "commonground.accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        from commonground.accounts import tasks

        # Each part declares what it holds about people in its personal_data.py, and
        # who may do what with its objects in its rules.py (see access.py).
        autodiscover_modules("personal_data")
        autodiscover_modules("rules")
        jobs.every(6 * 60 * 60, tasks.sessions_clear_expired, name="clear-expired-sessions")
