"""Pages for people and organisations.

Thin views: parse the request, call a selector or service, render. Access is
decided by the helpers in ``selectors.py``. A request from htmx gets a page
fragment; any other gets a full page or a 303 redirect, so every action works
without JavaScript.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts import personal_data, rules, selectors, services
from commonground.accounts.forms import (
    ApiTokenForm,
    ConfirmPasswordForm,
    InvitationForm,
    OrganisationForm,
    ProfileForm,
    RoleForm,
)
from commonground.accounts.models import EXTRA_ROLES, ROLE_HELP, ApiToken, Organisation, Role, User
from commonground.accounts.selectors import signed_in_user
from commonground.lib.views import download, press, see_other

EXTRA_ROLE_CHOICES = [(r.value, r.label) for r in EXTRA_ROLES]

# -- your account ------------------------------------------------------------------


@allow(access.SIGNED_IN)
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return see_other(reverse("accounts:profile"))
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"})


@allow(access.SIGNED_IN)
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(user=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    tokens = user.api_tokens.all()
    context = {"form": form, "tokens": tokens, "new_token": new_token, "section": "tokens"}
    return render(request, "accounts/api_tokens.html", context)


@allow(rules.OWN, on=ApiToken)
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.get_api_token_for_user(user=request.user, token_id=token_id)
    services.api_token_revoke(token=token)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/fragments/api_token_row.html", {"token": token})
    messages.success(request, f"The token “{token.name}” is revoked and no longer works.")
    return see_other(reverse("accounts:api_tokens"))


@allow(access.SIGNED_IN)
def your_data(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return _your_data_page(request, user, ConfirmPasswordForm(user=user))


def _your_data_page(
    request: HttpRequest, user: User, form: ConfirmPasswordForm, status: int = 200
) -> HttpResponse:
    context = {
        "holders": personal_data.holders(),
        "blockers": services.account_delete_blockers(user=user),
        "form": form,
        "section": "data",
    }
    return render(request, "accounts/your_data.html", context, status=status)


@allow(access.SIGNED_IN)
def your_data_download(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    archive = personal_data.export_zip(user)
    filename = f"commonground-data-{timezone.localdate():%Y-%m-%d}.zip"
    response = download(archive, content_type="application/zip", filename=filename)
    response["Cache-Control"] = "no-store"
    return response


@allow(access.SIGNED_IN)
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ConfirmPasswordForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.account_delete(user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, "Your account and your private data are deleted.")
            return see_other(reverse("home"))
    return _your_data_page(request, user, form, status=400)


# -- organisations -----------------------------------------------------------------


@allow(access.ANYONE)
def organisations(request: HttpRequest) -> HttpResponse:
    mine = selectors.memberships_for_user(request.user) if request.user.is_authenticated else []
    context = {"memberships": mine, "directory": selectors.organisations_directory()}
    return render(request, "accounts/organisations.html", context)


@allow(access.SIGNED_IN)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                by=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{organisation} is set up, with you as its admin.")
            return see_other(organisation.get_absolute_url())
    return render(request, "accounts/organisation_form.html", {"form": form})


@allow(access.ANYONE)
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = selectors.get_organisation_for_user(user=request.user, slug=slug)
    context = {"organisation": org, "membership": membership}
    return render(request, "accounts/organisation.html", context)


@allow(rules.MANAGE, on=Organisation)
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = selectors.get_organisation_for_user(
        user=request.user, slug=slug, rule=rules.MANAGE
    )
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(organisation=org, **form.cleaned_data)
        messages.success(request, "The organisation's details are saved.")
        return see_other(org.get_absolute_url())
    context = {"form": form, "organisation": org, "membership": membership}
    return render(request, "accounts/organisation_form.html", context)


@allow(rules.MEMBERS, on=Organisation)
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = selectors.get_organisation_for_user(
        user=request.user, slug=slug, rule=rules.MEMBERS
    )
    context = {
        "organisation": org,
        "membership": membership,
        "members": selectors.organisation_members(org),
        "roles": EXTRA_ROLE_CHOICES,
        "role_help": [(Role(r).label, text) for r, text in ROLE_HELP.items()],
        "can_manage": access.may(request.user, rules.MANAGE, org),
    }
    return render(request, "accounts/organisation_members.html", context)


@allow(rules.MANAGE, on=Organisation)
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    member = selectors.get_membership_for_admin(
        user=request.user, slug=slug, membership_id=membership_id
    )
    form = RoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.membership_set_roles(membership=member, roles=form.cleaned_data["roles"])
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = "Choose from the roles listed."
    if request.htmx:  # type: ignore[attr-defined]
        member.refresh_from_db()
        context = {
            "member": member,
            "organisation": member.organisation,
            "roles": EXTRA_ROLE_CHOICES,
            "can_manage": True,
            "row_error": error,
            "row_saved": error is None,
        }
        return render(request, "accounts/fragments/member_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{member.user}'s roles are now: {member.role_names.lower()}.")
    return see_other(reverse("accounts:organisation_members", args=[slug]))


@allow(rules.MANAGE, on=Organisation)
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    member = selectors.get_membership_for_admin(
        user=request.user, slug=slug, membership_id=membership_id
    )
    return press(
        request,
        lambda: services.membership_remove(membership=member),
        done=f"{member.user} is no longer a member.",
        then=reverse("accounts:organisation_members", args=[slug]),
    )


@allow(rules.BELONG, on=Organisation)
@require_POST
def organisation_leave(request: HttpRequest, slug: str) -> HttpResponse:
    member = selectors.get_own_membership(user=request.user, slug=slug)
    try:
        services.membership_remove(membership=member)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return see_other(reverse("accounts:organisation", args=[slug]))
    messages.success(request, f"You have left {member.organisation}.")
    return see_other(reverse("accounts:organisations"))


@allow(rules.MANAGE, on=Organisation)
def organisation_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = selectors.get_organisation_for_user(
        user=request.user, slug=slug, rule=rules.MANAGE
    )
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=org, by=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, f"An invitation is on its way to {invitation.email}.")
            return see_other(reverse("accounts:organisation_invitations", args=[slug]))
    context = {
        "organisation": org,
        "membership": membership,
        "form": form,
        "invitations": selectors.organisation_invitations(org),
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "accounts/organisation_invitations.html", context)


@allow(rules.MANAGE, on=Organisation)
@require_POST
def invitation_resend(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    invitation = selectors.get_invitation_for_admin(
        user=request.user, slug=slug, invitation_id=invitation_id
    )
    return press(
        request,
        lambda: services.invitation_resend(invitation=invitation),
        done=f"The invitation to {invitation.email} is sent again.",
        then=reverse("accounts:organisation_invitations", args=[slug]),
    )


@allow(rules.MANAGE, on=Organisation)
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    invitation = selectors.get_invitation_for_admin(
        user=request.user, slug=slug, invitation_id=invitation_id
    )
    return press(
        request,
        lambda: services.invitation_revoke(invitation=invitation),
        done=f"The invitation to {invitation.email} is withdrawn.",
        then=reverse("accounts:organisation_invitations", args=[slug]),
    )


@allow(access.ANYONE)
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: join, or sign in / sign up first."""
    invite = selectors.get_invitation_for_token(token=token)
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return see_other(f"{reverse('account_login')}?next={request.path}")
        try:
            services.invitation_accept(invitation=invite, user=signed_in_user(request))
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, f"You have joined {invite.organisation}.")
            return see_other(invite.organisation.get_absolute_url())
    account_exists = User.objects.filter(email__iexact=invite.email).exists()
    context = {"invitation": invite, "error": error, "account_exists": account_exists}
    return render(request, "accounts/invitation.html", context, status=400 if error else 200)
