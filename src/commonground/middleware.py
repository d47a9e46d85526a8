"""Site-wide middleware of our own."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from commonground.lib.ratelimit import client_address

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
