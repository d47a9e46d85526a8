"""How API callers prove who they are with a personal token (``Part.api_auth``).

The API tries the parts' ways first, then the session of a signed-in browser.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from commonground.accounts.models import User
from commonground.accounts.services import api_token_authenticate


class PersonalToken(HttpBearer):
    """``Authorization: Bearer cg_…`` with a token made on the person's profile."""

    openapi_description = (
        "A personal API token, made and revoked on your account's API tokens page."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user
