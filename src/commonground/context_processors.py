from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

from commonground import parts


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "DEMO": settings.DEMO,
        "MAIN_NAV": parts.lazy_navigation(request),
        "HEADER_LINKS": parts.header_links(),
        "FOOTER_LINKS": parts.footer_links(),
        "LOGIN_PAGE": resolve_url(settings.LOGIN_URL),
    }
