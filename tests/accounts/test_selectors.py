"""The access helpers, tested once for every persona."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from commonground import access
from commonground.accounts import rules, selectors
from commonground.accounts.models import Membership, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "need", "allowed"),
    [
        ("ada", access.ANYONE, True),
        ("ada", rules.MEMBERS, True),
        ("ada", rules.MANAGE, True),
        ("ben", access.ANYONE, True),
        ("ben", rules.MEMBERS, True),
        ("ben", rules.MANAGE, False),
        ("olu", access.ANYONE, True),
        ("olu", rules.MEMBERS, False),
        ("olu", rules.MANAGE, False),
        ("anonymous", access.ANYONE, True),
        ("anonymous", rules.MEMBERS, False),
    ],
)
def test_get_organisation_for_user(
    persona: str, need: access.Rule, allowed: bool, ada: User, ben: User, olu: User
) -> None:
    user = {"ada": ada, "ben": ben, "olu": olu, "anonymous": AnonymousUser()}[persona]
    if allowed:
        organisation, _ = selectors.get_organisation_for_user(
            user=user, slug="riverside", rule=need
        )
        assert organisation.slug == "riverside"
    else:
        with pytest.raises(PermissionDenied):
            selectors.get_organisation_for_user(user=user, slug="riverside", rule=need)


def test_site_administrator_cannot_manage_an_organisation(ada: User) -> None:
    """Else they could invite themselves as its evaluator and read its evidence."""
    root = User.objects.create_superuser(email="root@example.org", password="x", name="Root")
    for rule in (rules.MANAGE, rules.MEMBERS):
        with pytest.raises(PermissionDenied):
            selectors.get_organisation_for_user(user=root, slug="riverside", rule=rule)


def test_unknown_organisation_is_404(ada: User) -> None:
    with pytest.raises(Http404):
        selectors.get_organisation_for_user(user=ada, slug="nowhere")


def test_membership_for_admin_only_within_own_organisation(ada: User, olu: User) -> None:
    olu_membership = Membership.objects.get(user=olu)
    with pytest.raises(Http404):
        selectors.get_membership_for_admin(
            user=ada, slug="riverside", membership_id=olu_membership.pk
        )


def test_api_token_only_for_its_owner(ada: User, olu: User) -> None:
    from commonground.accounts.services import api_token_create

    token, _ = api_token_create(user=ada, name="script")
    assert selectors.get_api_token_for_user(user=ada, token_id=token.pk) == token
    with pytest.raises(Http404):
        selectors.get_api_token_for_user(user=olu, token_id=token.pk)
    with pytest.raises(Http404):
        selectors.get_api_token_for_user(user=AnonymousUser(), token_id=token.pk)
