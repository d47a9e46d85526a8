"""The JSON API, version 1, under ``/api/v1/``.

Each part of Common Ground brings a ``ninja.Router`` from its own ``api.py``
(named by its ``Part.api``); they are added here in ``INSTALLED_APPS`` order. The
OpenAPI document is served at ``/api/v1/openapi.json`` and read by the docs page in
``views.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from commonground import parts
from commonground.lib import ratelimit

api = NinjaAPI(
    title="Common Ground API",
    version="1",
    description=(
        "Read and write Common Ground's data from your own scripts and tools. "
        "Send a personal API token as `Authorization: Bearer <token>`; make one on your "
        "account's API tokens page. Times are ISO 8601 with a time zone."
    ),
    # The parts' ways first (a personal token), then the session of a signed-in browser,
    # which must send its CSRF token on writes.
    auth=[*parts.api_authenticators(), django_auth],
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
for router in parts.api_routers():
    api.add_router("", router)


@api.exception_handler(ValidationError)
def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service said no: answer 422 with its plain-words reasons, as the pages show them
    (429 when the reason is that it came too often)."""
    status = 429 if isinstance(exc, ratelimit.TooMany) else 422
    return api.create_response(
        request, {"detail": " ".join(exc.messages), "errors": exc.messages}, status=status
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """An access check said no: 403 with its sentence, as the pages show it."""
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)
