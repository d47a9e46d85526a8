from __future__ import annotations

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

    def ready(self) -> None:
        from commonground.accounts import tasks

        # Each part declares what it holds about people in its personal_data.py, and
        # who may do what with its objects in its rules.py (see access.py).
        autodiscover_modules("personal_data")
        autodiscover_modules("rules")
        jobs.every(6 * 60 * 60, tasks.sessions_clear_expired, name="clear-expired-sessions")
