"""Who may do what with people and organisations (see ``access.py``).

An organisation's name and description are public, so an outsider refused
here is told why (403) rather than shown a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from commonground import access
from commonground.accounts.models import ApiToken, Membership, Organisation, Role, User


# An organisation is a scope: its members hold their roles there, and taking
# part ("member") besides.
def _organisation_roles(user: User, organisation: Organisation) -> frozenset[str]:
    membership = Membership.objects.filter(user_id=user.pk, organisation=organisation).first()
    if membership is None:
        return frozenset()
    return membership.roles | {Role.MEMBER}


def _organisations_where(user: User, roles: frozenset[str]) -> QuerySet[Organisation]:
    mine = Membership.objects.filter(user_id=user.pk)
    if Role.MEMBER not in roles:
        held = Q(pk__in=[])
        for role in roles:
            held |= Q(roles__has=role)
        mine = mine.filter(held)
    return Organisation.objects.filter(pk__in=mine.values("organisation_id"))


access.scope_kind(Organisation, roles_of=_organisation_roles, where=_organisations_where)


access.belongs(Organisation, "")
access.belongs(Membership, "organisation")


# A person is the scope of what is theirs alone (API tokens, follows): there they
# hold the role "self", and nobody else holds any.
def _own_roles(user: User, person: User) -> frozenset[str]:
    return frozenset({"self"}) if user.pk == person.pk else frozenset()


def _own_where(user: User, roles: frozenset[str]) -> QuerySet[User]:
    return User.objects.filter(pk=user.pk) if "self" in roles else User.objects.none()


access.scope_kind(User, roles_of=_own_roles, where=_own_where)
access.belongs(User, "")
access.belongs(ApiToken, "user")

OWN = access.rule("own", roles={"self"}, missing="Not found.")

# Site admins run the site, not its organisations: were they let in here, they could
# give themselves the evaluator role and read evidence nobody had shown them.
MEMBERS = access.rule(
    "organisation.members",
    roles={Role.MEMBER},
    hidden=False,
    refusal="Only members of {scope} can see this page.",
    missing="No such organisation.",
)
BELONG = access.rule(
    "organisation.belong",
    roles={Role.MEMBER},
    hidden=False,
    refusal="You are not a member of {scope}.",
    missing="No such organisation.",
)
MANAGE = access.rule(
    "organisation.manage",
    roles={Role.ADMIN},
    hidden=False,
    refusal="Only admins of {scope} can do this.",
    missing="No such organisation.",
)

# allauth's pages for signing up, in and out: not ours to decorate, so declared here.
access.allow_outside(
    access.ANYONE,
    [
        "account_login",
        "account_signup",
        "account_inactive",
        "account_confirm_login_code",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        # Signing out is offered to anyone: someone signed out is told so.
        "account_logout",
    ],
)
access.allow_outside(
    access.SIGNED_IN,
    [
        "account_email",
        "account_change_password",
        "account_set_password",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
    ],
)
