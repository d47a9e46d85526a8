"""How django-allauth's account flows call into Common Ground.

allauth runs signing up, in and out, email verification and change, password
reset and change, and the rate limits on each. This adapter is where those
flows reach our own rules and words: a new person's name, a new password set
through our service (which says how many API tokens it ended), sign-in
failures logged, and the site's name in every email.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest

from commonground.accounts import services
from commonground.accounts.models import User
from commonground.lib.ratelimit import client_address
from commonground.lib.text import single_line

logger = logging.getLogger("commonground.security")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "The email address or password is not right. Check them and try again, "
            "or reset your password."
        ),
        "too_many_login_attempts": (
            "Too many attempts to sign in with this address. Wait five minutes and try "
            "again, or reset your password."
        ),
        "account_inactive": "This account has been switched off. Ask the site administrator.",
        "enter_current_password": "Type the password you have now.",
        "incorrect_password": "That is not your password. Check it and try again.",
        "duplicate_email": "You already use this address.",
        "same_as_current": "That is the address you use now.",
    }

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.name = single_line(form.cleaned_data.get("name", ""))
        if commit:
            user.save()
        return user

    def set_password(self, user: Any, password: str) -> None:
        """allauth's password changes and resets come here; the person is told how many
        tokens went with the old password (``accounts/passwords.py`` ends them)."""
        assert isinstance(user, User)  # noqa: S101 - AUTH_USER_MODEL
        revoked = services.password_set(user=user, password=password)
        request = getattr(self, "request", None)
        if request is not None and revoked:
            messages.info(
                request,
                f"Your {revoked} API token{'s were' if revoked > 1 else ' was'} revoked with "
                "your old password. Make new ones on the API tokens page if you still need them.",
            )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            logger.warning(
                "Too many sign-in attempts for %s from %s",
                single_line(str(credentials.get("email", "")))[:254],
                client_address(request),
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        logger.warning(
            "Sign-in failed for %s from %s",
            single_line(str(credentials.get("email", "")))[:254],
            client_address(request),
        )
        super().authentication_failed(request, **credentials)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context.setdefault("site_name", settings.SITE_NAME)
        context.setdefault("site_url", settings.SITE_URL)
        super().send_mail(template_prefix, email, context)
