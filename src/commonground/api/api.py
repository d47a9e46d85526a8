"""The JSON API, version 1, under ``/api/v1/``.

Each part of Common Ground adds a ``ninja.Router`` from its own ``api.py``
here. The OpenAPI document is served at ``/api/v1/openapi.json`` and read by
the docs page in ``views.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from commonground.accounts.api import router as accounts_router
from commonground.api.auth import AUTH
from commonground.evaluation.api import router as evaluation_router
from commonground.hub.api import router as hub_router
from commonground.lib import ratelimit

api = NinjaAPI(
    title="Common Ground API",
    version="1",
    description=(
        "Read and write Common Ground's data from your own scripts and tools. "
        "Send a personal API token as `Authorization: Bearer <token>`; make one on your "
        "account's API tokens page. Times are ISO 8601 with a time zone."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("", accounts_router)
api.add_router("", hub_router)
api.add_router("", evaluation_router)


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
