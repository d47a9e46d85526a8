"""The Celery application: one task layer for in-process and distributed work.

Settings prefixed ``CELERY_`` configure it (see ``settings.py``). Without
``REDIS_URL`` Celery runs every task eagerly in the calling process, so the
same task functions serve the one-machine default and a fleet of workers.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")

app = Celery("commonground")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
