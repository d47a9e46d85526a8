"""Django's one hook for every new password, used to end the person's API tokens.

Passwords are set by allauth's pages (through the adapter), by the admin's
password forms and by the ``changepassword`` command. Django ties sessions to the
password itself, so they all end; API tokens are ours, so this "validator" (the
place Django calls ``password_changed`` from ``User.save()`` after any
``set_password``, and never for the quiet re-hashing at sign-in) revokes them.
"""

from __future__ import annotations

from typing import Any


class TokensEndWithThePassword:
    def validate(self, password: str, user: Any = None) -> None:
        return None  # asks nothing of the password itself

    def get_help_text(self) -> str:
        return "A new password ends your API tokens and your sessions on other devices."

    def password_changed(self, password: str, user: Any = None) -> None:
        from commonground.accounts import services
        from commonground.accounts.models import User

        if isinstance(user, User) and user.pk is not None:
            services.api_tokens_revoke_all(user=user)
