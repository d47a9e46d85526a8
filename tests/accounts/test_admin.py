"""The Django admin works for site administrators, and only for them; it writes through
the accounts services, so their rules hold there too."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts import services
from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser(email="root@example.org", password="x", name="Root")


@pytest.fixture
def root_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


def act(client: Client, url: str, action: str, rows: list[int]) -> None:
    """Run an admin action on ``rows`` from the changelist at ``url``."""
    response = client.post(url, {"action": action, "_selected_action": rows, "index": "0"})
    assert response.status_code == 302, response.content[:300]


def test_admin_pages_open(root_client: Client, ada: User, riverside: Organisation) -> None:
    token, _ = services.api_token_create(user=ada, name="Reports")
    invitation = services.invitation_create(
        organisation=riverside, email="new@example.org", role=Role.MEMBER, by=ada
    )
    for url in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{ada.pk}/change/",
        f"/admin/accounts/user/{ada.pk}/delete/",
        "/admin/accounts/organisation/",
        f"/admin/accounts/organisation/{riverside.pk}/change/",
        "/admin/accounts/invitation/",
        f"/admin/accounts/invitation/{invitation.pk}/change/",
        "/admin/accounts/apitoken/",
        f"/admin/accounts/apitoken/{token.pk}/change/",
    ):
        assert root_client.get(url).status_code == 200, url


def test_site_administrator_adds_a_person(root_client: Client) -> None:
    password = "a long password 123"
    response = root_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "x@example.org",
            "name": "X",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="x@example.org").check_password(password)


def test_a_person_is_deactivated_in_the_admin_but_keeps_their_address(
    root_client: Client, ben: User
) -> None:
    response = root_client.post(
        f"/admin/accounts/user/{ben.pk}/change/",
        {
            "email": "someone.else@example.org",
            "name": "Ben   Member",
            "job_title": "",
            "about": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    ben.refresh_from_db()
    assert not ben.is_active
    # The address is changed by its owner, who confirms the new one; the name goes
    # through profile_update, which keeps it to one line with single spaces.
    assert (ben.email, ben.name) == ("ben@example.org", "Ben Member")


def test_organisation_admins_are_not_site_administrators(ada_client: Client) -> None:
    response = ada_client.get("/admin/accounts/organisation/")
    assert response.status_code == 302
    assert Organisation.objects.count() == 1


def test_organisations_are_neither_made_nor_deleted_in_the_admin(
    root_client: Client, riverside: Organisation
) -> None:
    # organisation_create makes its maker the first admin; deleting would take the
    # organisation's evaluation evidence with it.
    assert root_client.get("/admin/accounts/organisation/add/").status_code == 403
    delete = f"/admin/accounts/organisation/{riverside.pk}/delete/"
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=riverside.pk).exists()


def test_the_admin_changes_no_membership_around_the_services(
    root_client: Client, riverside: Organisation, ada: User
) -> None:
    membership = Membership.objects.get(user=ada, organisation=riverside)
    response = root_client.post(
        f"/admin/accounts/organisation/{riverside.pk}/change/",
        {
            "name": "Riverside   Libraries (North)",
            "slug": "taken-over",
            "kind": Organisation.Kind.LIBRARY,
            "description": "",
            "website": "",
            "created_0": "2026-01-01",
            "created_1": "09:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.pk),
            "memberships-0-organisation": str(riverside.pk),
            "memberships-0-user": str(ada.pk),
            "memberships-0-roles": "",
            "memberships-0-joined_0": "2026-01-01",
            "memberships-0-joined_1": "09:00:00",
            "memberships-0-DELETE": "on",
        },
    )
    assert response.status_code == 302
    riverside.refresh_from_db()
    # The details went through organisation_update; the slug (in every link) stays.
    assert (riverside.name, riverside.slug) == ("Riverside Libraries (North)", "riverside")
    # Ada is still the organisation's only admin: membership_set_roles would have refused.
    membership.refresh_from_db()
    assert membership.is_admin


def test_deleting_a_person_goes_through_account_delete(
    root_client: Client, ada: User, ben: User, olu: User, elsewhere: Organisation
) -> None:
    response = root_client.post(f"/admin/accounts/user/{ada.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{ada.pk}/change/"
    page = root_client.get(response["Location"]).content.decode()
    assert "You are the only admin of Riverside Libraries" in page
    assert User.objects.filter(pk=ada.pk).exists()

    # Olu was Elsewhere's only member: the organisation goes with him, as on his own page.
    response = root_client.post(f"/admin/accounts/user/{olu.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=olu.pk).exists()
    assert not Organisation.objects.filter(pk=elsewhere.pk).exists()
    # No bulk delete around the service.
    assert "delete_selected" not in root_client.get("/admin/accounts/user/").content.decode()


def test_tokens_are_revoked_not_made_in_the_admin(root_client: Client, ada: User) -> None:
    assert root_client.get("/admin/accounts/apitoken/add/").status_code == 403
    token, _ = services.api_token_create(user=ada, name="Reports")
    act(root_client, "/admin/accounts/apitoken/", "revoke", [token.pk])
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_invitations_are_withdrawn_not_edited_in_the_admin(
    root_client: Client, ada: User, riverside: Organisation
) -> None:
    invitation = services.invitation_create(
        organisation=riverside, email="new@example.org", role=Role.MEMBER, by=ada
    )
    change = f"/admin/accounts/invitation/{invitation.pk}/change/"
    root_client.post(change, {"email": "other@example.org", "role": Role.ADMIN})
    act(root_client, "/admin/accounts/invitation/", "withdraw", [invitation.pk])
    invitation.refresh_from_db()
    assert (invitation.email, invitation.role) == ("new@example.org", Role.MEMBER)
    assert invitation.revoked_at is not None
    assert Invitation.objects.count() == 1
    assert ApiToken.objects.count() == 0
