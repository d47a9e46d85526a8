from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import autodiscover_modules

from commonground import jobs, parts


class AccountsConfig(parts.Part):
    name = "commonground.accounts"
    verbose_name = "People and organisations"
    order = 90
    # allauth's sign-in, sign-up and email pages, then ours.
    mounts = (
        parts.Mount("accounts/", "allauth.urls"),
        parts.Mount("", "commonground.accounts.urls"),
    )
    redirects = {
        **dict.fromkeys(("login/", "log-in/", "signin/", "sign-in/"), "account_login"),
        **dict.fromkeys(("signup/", "sign-up/", "register/", "join/"), "account_signup"),
        **dict.fromkeys(("logout/", "log-out/", "signout/", "sign-out/"), "account_logout"),
        **dict.fromkeys(("forgot-password/", "password-reset/"), "account_reset_password"),
        **dict.fromkeys(("accounts/", "account/", "profile/"), "accounts:profile"),
    }
    api = "commonground.accounts.api"
    api_auth = "commonground.accounts.api_auth.PersonalToken"
    demo = "commonground.accounts.demo"
    nav = parts.NavEntry("Organisations", "accounts:organisations")
    api_auth_page = "accounts:api_tokens"
    home_panel = "accounts/includes/home_panel.html"
    header_links = "accounts/includes/header_links.html"
    footer_links = "accounts/includes/footer_links.html"

    def ready(self) -> None:
        from commonground.accounts import tasks

        # Each part declares what it holds about people in its personal_data.py, and
        # who may do what with its objects in its rules.py (see access.py).
        autodiscover_modules("personal_data")
        autodiscover_modules("rules")
        jobs.every(6 * 60 * 60, tasks.sessions_clear_expired, name="clear-expired-sessions")

    def home_context(self, request: HttpRequest, *, since: datetime) -> Mapping[str, Any]:
        from allauth.account.models import EmailAddress
        from django.db.models import Exists, OuterRef
        from django.urls import reverse
        from django.utils import timezone

        from commonground.accounts import selectors, services
        from commonground.accounts.models import Invitation, User

        user = request.user
        if not isinstance(user, User):
            return {}
        # Open invitations to the address the person signs in with, once they have shown
        # it is theirs (accepting one needs both), to organisations they are not yet in.
        confirmed = EmailAddress.objects.filter(
            user_id=user.pk, email__iexact=OuterRef("email"), verified=True
        )
        invitations = list(
            Invitation.objects.filter(
                Exists(confirmed),
                email__iexact=user.email,
                accepted_at=None,
                revoked_at=None,
                expires__gt=timezone.now(),
            )
            .exclude(organisation__memberships__user=user)
            .select_related("organisation")
            .order_by("-created")
        )
        return {
            "memberships": list(selectors.memberships_for_user(user)),
            "invitations": [
                (i, reverse("accounts:invitation", args=[services.invitation_token(i)]))
                for i in invitations
            ],
        }
