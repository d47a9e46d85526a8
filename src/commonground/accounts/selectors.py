"""Reads that cross relations, and fetching accounts' objects for a person.

Who may do what is decided by the rules in ``rules.py`` through the one
access layer (``access.py``); the helpers here only say which rule applies.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from commonground import access
from commonground.accounts import rules
from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from commonground.accounts.tokens import invitation_id_from_token

AnyUser = User | AnonymousUser


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in person; only for views and API operations whose rule lets in nobody
    who is not signed in (see ``access.allow``)."""
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by the caller's guard
    return request.user


def membership_of(user: AnyUser, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user_id=user.pk, organisation=organisation).first()


def get_organisation_for_user(
    *, user: AnyUser, slug: str, rule: access.Rule = access.ANYONE
) -> tuple[Organisation, Membership | None]:
    """The organisation at ``slug``, if ``user`` passes ``rule`` there, and their
    membership of it (``None`` for someone who is not a member)."""
    organisation = access.get(user, Organisation.objects.all(), rule, slug=slug)
    return organisation, membership_of(user, organisation)


def get_membership_for_admin(*, user: AnyUser, slug: str, membership_id: int) -> Membership:
    """A membership that ``user`` may change or remove as an admin of its organisation."""
    organisation, _ = get_organisation_for_user(user=user, slug=slug, rule=rules.MANAGE)
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=membership_id, organisation=organisation)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def get_own_membership(*, user: AnyUser, slug: str) -> Membership:
    """The person's own membership, for leaving an organisation."""
    organisation, membership = get_organisation_for_user(user=user, slug=slug, rule=rules.BELONG)
    assert membership is not None  # noqa: S101 - only members pass BELONG
    return membership


def get_invitation_for_admin(*, user: AnyUser, slug: str, invitation_id: int) -> Invitation:
    organisation, _ = get_organisation_for_user(user=user, slug=slug, rule=rules.MANAGE)
    invitation = Invitation.objects.filter(pk=invitation_id, organisation=organisation).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def get_invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link points at. Anyone holding the link may see it."""
    invitation_id = invitation_id_from_token(token)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
        if invitation_id is not None
        else None
    )
    if invitation is None:
        raise Http404("This invitation link is not valid. Check you copied all of it.")
    return invitation


def get_api_token_for_user(*, user: AnyUser, token_id: int) -> ApiToken:
    return access.get(
        user, ApiToken.objects.all(), rules.OWN, missing="No such token.", pk=token_id
    )


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(member_count=Count("organisation__memberships"))
        .order_by("organisation__name")
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__name", "user__email")


def organisation_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.select_related("invited_by").order_by("-created")


def organisations_directory() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(member_count=Count("memberships")).order_by("name")
