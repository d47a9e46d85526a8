"""Pages that belong to the site as a whole rather than to one part."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.accounts import selectors


def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        selectors.memberships_for_user(request.user) if request.user.is_authenticated else []
    )
    return render(request, "home.html", {"memberships": memberships})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form arrives without a valid CSRF token (stale page or forged post)."""
    return render(request, "errors/csrf.html", status=403)
