"""WSGI entry point, served by ``commonground serve`` (gunicorn)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")

application = get_wsgi_application()
