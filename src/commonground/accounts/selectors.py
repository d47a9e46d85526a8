"""Reads that cross relations, and the access checks for accounts' objects.

Each ``get_<x>_for_user`` helper is the one place that decides whether a
person may see or change that kind of object; views call it and never check
roles themselves. Failing a check raises ``Http404`` when the object should
not be known to exist, and ``PermissionDenied`` (with a sentence saying why)
when it may be.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, Role, User
from commonground.accounts.services import invitation_id_from_token

AnyUser = User | AnonymousUser


def membership_of(user: AnyUser, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user_id=user.pk, organisation=organisation).first()


def get_organisation_for_user(
    *, user: AnyUser, slug: str, need: Role | None = None
) -> tuple[Organisation, Membership | None]:
    """The organisation at ``slug`` and the person's membership of it.

    With ``need=None`` anyone may look (an organisation's name and description
    are public). ``need=Role.MEMBER`` asks for any membership; ``Role.ADMIN``
    for an admin. Site administrators pass every check.
    """
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation.")
    membership = membership_of(user, organisation)
    if need is None or (user.is_authenticated and user.is_superuser):
        return organisation, membership
    if membership is None:
        raise PermissionDenied(f"Only members of {organisation} can see this page.")
    if need == Role.ADMIN and membership.role != Role.ADMIN:
        raise PermissionDenied(f"Only admins of {organisation} can do this.")
    return organisation, membership


def get_membership_for_admin(*, user: AnyUser, slug: str, membership_id: int) -> Membership:
    """A membership that ``user`` may change or remove as an admin of its organisation."""
    organisation, _ = get_organisation_for_user(user=user, slug=slug, need=Role.ADMIN)
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
    organisation, membership = get_organisation_for_user(user=user, slug=slug, need=Role.MEMBER)
    if membership is None:  # a site administrator who is not a member
        raise Http404("You are not a member of this organisation.")
    return membership


def get_invitation_for_admin(*, user: AnyUser, slug: str, invitation_id: int) -> Invitation:
    organisation, _ = get_organisation_for_user(user=user, slug=slug, need=Role.ADMIN)
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
    if not user.is_authenticated:
        raise Http404("No such token.")
    token = ApiToken.objects.filter(pk=token_id, user_id=user.pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


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
