"""Ids that do not belong to the organisation in the URL, and links meant for others."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts import services
from commonground.accounts.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_an_admin_changes_no_membership_of_another_organisation(
    ada: User, ben: User, olu_client: Client
) -> None:
    """Olu is an admin, of Elsewhere: Ben's membership of Riverside is not his to change
    by putting his own organisation's slug in the URL."""
    membership = Membership.objects.get(user=ben)
    for name, data in [("member_role", {"roles": [Role.ADMIN]}), ("member_remove", {})]:
        url = reverse(f"accounts:{name}", args=["elsewhere", membership.pk])
        assert olu_client.post(url, data).status_code == 404, name
    membership.refresh_from_db()
    assert membership.roles == set()


def test_an_invitation_link_joins_only_the_person_it_was_sent_to(
    ada: User, riverside: Organisation, olu: User, olu_client: Client
) -> None:
    invitation = services.invitation_create(
        organisation=riverside,
        email="someone@example.org",
        role=Role.EVALUATOR,
        by=ada,
    )
    url = reverse("accounts:invitation", args=[services.invitation_token(invitation)])
    assert olu_client.post(url).status_code == 400
    assert not Membership.objects.filter(user=olu, organisation=riverside).exists()
    forged = services.invitation_token(invitation)[:-2] + "xx"
    assert olu_client.get(reverse("accounts:invitation", args=[forged])).status_code == 404
