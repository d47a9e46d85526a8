"""The main navigation and the common addresses, both built from what the parts registered."""

from __future__ import annotations

import re

import pytest
from django.test import Client


def main_nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.django_db
def test_the_main_navigation_comes_from_the_parts_and_marks_where_you_are(
    ada_client: Client, client: Client
) -> None:
    nav = main_nav(client.get("/hub/").content.decode())
    assert re.findall(r">([^<>]+)</a>", nav) == ["Home", "Hub", "Organisations"]
    assert '<a href="/hub/" aria-current="page">Hub</a>' in nav
    # Evaluate is for people signed in; API documentation sits in the footer.
    assert "API" not in nav
    nav = main_nav(ada_client.get("/hub/search/?q=libraries").content.decode())
    assert re.findall(r">([^<>]+)</a>", nav) == ["Home", "Hub", "Evaluate", "Organisations"]
    assert '<a href="/hub/" aria-current="true">Hub</a>' in nav
    assert 'aria-current="page">Home' not in nav
    page = ada_client.get("/evaluate/").content.decode()
    assert '<a href="/evaluate/" aria-current="page">Evaluate</a>' in main_nav(page)
    assert 'href="/api/v1/docs/">API documentation</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "goes_to"),
    [
        ("/login/", "/accounts/login/"),
        ("/signin/", "/accounts/login/"),
        ("/sign-in/", "/accounts/login/"),
        ("/signup/", "/accounts/signup/"),
        ("/register/", "/accounts/signup/"),
        ("/logout/", "/accounts/logout/"),
        ("/forgot-password/", "/accounts/password/reset/"),
        ("/profile/", "/accounts/profile/"),
        ("/accounts/", "/accounts/profile/"),
        ("/evaluation/", "/evaluate/"),
        ("/search/", "/hub/search/"),
        ("/search/?q=tenant+voice&sector=3", "/hub/search/?q=tenant+voice&sector=3"),
        ("/login/?next=/evaluate/", "/accounts/login/?next=/evaluate/"),
    ],
)
def test_common_addresses_lead_to_the_real_pages(
    client: Client, address: str, goes_to: str
) -> None:
    response = client.get(address)
    assert response.status_code in {301, 302}
    assert response["Location"] == goes_to
    assert client.get(address, follow=True).status_code == 200
