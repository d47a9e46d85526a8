"""Small helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from commonground.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in person; only for views behind ``login_required`` and API endpoints
    that need a token or a session."""
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by the caller's guard
    return request.user


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST, the browser fetches ``url`` with GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def press(
    request: HttpRequest, action: Callable[[], object], *, done: str, then: str
) -> HttpResponse:
    """Carry out a button press: report the outcome (or the service's refusal) as a message
    and go to ``then``."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, done)
    return see_other(then)


def download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """``data`` as a file the browser saves as ``filename`` (a name we made, never a user's)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
