"""Site-wide middleware of our own."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.lib.ratelimit import client_address
from commonground.lib.text import size_words, whole_number

logger = logging.getLogger("commonground.security")


def log_refusals(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Log every request refused for coming too often (429), allauth's and our own, with
    the address it came from, so an operator can see an attack and what it aimed at."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code == 429:
            logger.warning(
                "Too many requests: %s %s refused for %s",
                request.method,
                request.path,
                client_address(request),
            )
        return response

    return middleware


def refuse_oversized_uploads(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuse a form post bigger than ``UPLOAD_MAX_BYTES`` before a byte of it is read.

    Django writes uploaded files to disk as they arrive, before any view can look at
    their size, and any post is read whole for its CSRF check: without this, a post of
    any size from anyone would fill the disk. A reverse proxy's body limit does the same
    job in production; this one holds where there is none.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        size = whole_number(request.META.get("CONTENT_LENGTH"))
        limit = settings.UPLOAD_MAX_BYTES
        if size is not None and size > limit:
            logger.warning(
                "Too big: %s %s of %s refused for %s",
                request.method,
                request.path,
                size_words(size),
                client_address(request),
            )
            context = {"size": size_words(size), "limit": size_words(limit)}
            return render(request, "413.html", context, status=413)
        return get_response(request)

    return middleware
