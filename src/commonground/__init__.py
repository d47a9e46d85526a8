"""Common Ground: a platform for people who do community engagement.

The Celery application is loaded when Django starts (``apps.CommonGroundConfig``),
not on every import of the package: a harvest's parsing processes import only the
parsers, and stay half the size.
"""

from __future__ import annotations

__version__ = "0.1.0"
