"""API endpoints for people and organisations."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from commonground import access
from commonground.access import allow
from commonground.accounts import selectors
from commonground.accounts.models import Role
from commonground.accounts.selectors import signed_in_user

router = Router(tags=["People and organisations"])


class MembershipOut(Schema):
    slug: str
    name: str
    roles: list[str]
    url: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    job_title: str
    about: str
    date_joined: datetime
    organisations: list[MembershipOut]


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    website: str
    member_count: int
    url: str


@router.get("/me", response=MeOut, summary="The person the request is signed in as")
@allow(access.SIGNED_IN)
def me(request: HttpRequest) -> MeOut:
    """Your profile and the organisations you belong to, with your roles in each."""
    user = signed_in_user(request)
    organisations = [
        MembershipOut(
            slug=m.organisation.slug,
            name=m.organisation.name,
            roles=sorted(m.roles | {Role.MEMBER}),
            url=request.build_absolute_uri(m.organisation.get_absolute_url()),
        )
        for m in selectors.memberships_for_user(user)
    ]
    return MeOut(
        id=user.pk,
        email=user.email,
        name=user.name,
        job_title=user.job_title,
        about=user.about,
        date_joined=user.date_joined,
        organisations=organisations,
    )


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    auth=None,
    summary="Every organisation on this site",
)
@allow(access.ANYONE)
def organisations(request: HttpRequest) -> list[OrganisationOut]:
    """The public directory of organisations. No token needed."""
    return [
        OrganisationOut(
            slug=o.slug,
            name=o.name,
            kind=o.kind,
            description=o.description,
            website=o.website,
            member_count=o.member_count,  # type: ignore[attr-defined]
            url=request.build_absolute_uri(o.get_absolute_url()),
        )
        for o in selectors.organisations_directory()
    ]
