"""Common Ground: a platform for people who do community engagement."""

from __future__ import annotations

from commonground.celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
