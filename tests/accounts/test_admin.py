"""The Django admin works for site administrators, and only for them."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client: Client) -> Client:
    root = User.objects.create_superuser(email="root@example.org", password="x", name="Root")
    client.force_login(root)
    return client


def test_admin_pages_open(root_client: Client, ada: User) -> None:
    for url in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{ada.pk}/change/",
        "/admin/accounts/organisation/",
        "/admin/accounts/organisation/add/",
        "/admin/accounts/invitation/",
        "/admin/accounts/apitoken/",
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


def test_organisation_admins_are_not_site_administrators(ada_client: Client) -> None:
    response = ada_client.get("/admin/accounts/organisation/")
    assert response.status_code == 302
    assert Organisation.objects.count() == 1
