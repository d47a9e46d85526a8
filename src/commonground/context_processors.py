from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from commonground import parts


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "DEMO": settings.DEMO,
        "MAIN_NAV": parts.lazy_navigation(request),
    }
