"""axe finds no WCAG 2.x A or AA violation on any page, and every page reflows at 320px."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from commonground.accounts import services
from commonground.accounts.models import Invitation, Membership, Organisation, Role, User
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import check_axe, check_reflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/accessibility/",
    "/organisations/",
    "/organisations/riverside/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/1-not-a-token/",
    "/api/v1/docs/",
    "/no-such-page/",
]

ADMIN_PAGES = [
    "/",
    "/organisations/",
    "/organisations/new/",
    "/organisations/riverside/",
    "/organisations/riverside/members/",
    "/organisations/riverside/invitations/",
    "/organisations/riverside/edit/",
    "/organisations/elsewhere/members/",  # 403: not her organisation
    "/accounts/profile/",
    "/accounts/email/",
    "/accounts/reauthenticate/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/tokens/",
    "/accounts/data/",
    "/api/v1/docs/",
]


@pytest.fixture
def content(ada: User, ben: User, olu: User, riverside: Organisation) -> dict[str, str]:
    """Enough data that every list, table and state on the pages is drawn."""
    riverside.description = "Eleven branch libraries.\n\nA mobile library."
    riverside.website = "https://libraries.example.org"
    riverside.save()
    open_invitation = Invitation.objects.create(
        organisation=riverside,
        email="new@example.org",
        role=Role.MEMBER,
        invited_by=ada,
        expires=timezone.now() + timedelta(days=5),
    )
    Invitation.objects.create(
        organisation=riverside,
        email="gone@example.org",
        role=Role.MEMBER,
        invited_by=ada,
        expires=timezone.now() + timedelta(days=5),
        revoked_at=timezone.now(),
    )
    services.api_token_create(user=ada, name="report script")
    revoked, _ = services.api_token_create(user=ada, name="old script")
    services.api_token_revoke(token=revoked)
    return {"invitation": services.invitation_token(open_invitation)}


def visit(page: Any, url: str) -> None:
    page.goto(url)
    check_axe(page)
    check_reflow(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_public_pages(page: Any, live_server: Any, content: dict[str, str], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for path in [*PUBLIC_PAGES, f"/invitations/{content['invitation']}/"]:
        visit(page, live_server.url + path)


@pytest.mark.parametrize("width", [1280, 320])
def test_signed_in_pages(page: Any, live_server: Any, content: dict[str, str], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    for path in ADMIN_PAGES:
        visit(page, live_server.url + path)


def test_pages_in_their_other_states(page: Any, live_server: Any, content: dict[str, str]) -> None:
    base = live_server.url
    # Forms with errors.
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    check_axe(page)
    # A password reset link, as emailed.
    page.goto(f"{base}/accounts/password/reset/")
    page.get_by_label("Email address").fill("ben@example.org")
    page.get_by_role("button", name="Send the link").click()
    link = re.search(r"http://\S+", mail.outbox[-1].body)
    assert link is not None
    visit(page, link.group(0))
    # A form sent after its CSRF cookie was lost.
    page.goto(f"{base}/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("Email address").fill("ben@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Please send the form again")).to_be_visible()
    check_axe(page)
    # As a member: the organisation from inside, the invitation for someone else.
    sign_in(page, base, "ben@example.org", PASSWORD)
    visit(page, f"{base}/organisations/riverside/")
    visit(page, f"{base}/organisations/riverside/members/")
    visit(page, f"{base}/invitations/{content['invitation']}/")
    page.get_by_role("button", name="Join Riverside Libraries").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_axe(page)
    # A new token, shown once; a profile with errors; delete refused.
    page.goto(f"{base}/accounts/tokens/")
    page.get_by_label("Token name").fill("my script")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("Copy it now")).to_be_visible()
    check_axe(page)
    page.goto(f"{base}/accounts/profile/")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save profile").click()
    check_axe(page)
    page.goto(f"{base}/accounts/data/")
    page.get_by_label("Your password").fill("wrong")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password").first).to_be_visible()
    check_axe(page)


def test_empty_states(page: Any, live_server: Any, db: None) -> None:
    """A new site, a new person with no organisation: each empty state says what to do."""
    make_person("solo@example.org", "Solo")
    base = live_server.url
    visit(page, f"{base}/organisations/")
    sign_in(page, base, "solo@example.org", PASSWORD)
    expect(page.get_by_role("link", name="Set up an organisation")).to_be_visible()
    check_axe(page)
    visit(page, f"{base}/accounts/tokens/")
    page.goto(f"{base}/organisations/new/")
    page.get_by_label("Name").fill("Solo Project")
    page.get_by_label("Kind of organisation").select_option("voluntary")
    page.get_by_role("button", name="Set up organisation").click()
    expect(page.get_by_role("heading", name="Solo Project")).to_be_visible()
    assert Membership.objects.get(user__email="solo@example.org").roles == {Role.ADMIN}
    check_axe(page)
    visit(page, f"{base}/organisations/solo-project/invitations/")


def test_site_administration(page: Any, live_server: Any, content: dict[str, str]) -> None:
    User.objects.create_superuser(email="root@example.org", password=PASSWORD, name="Root")
    base = live_server.url
    sign_in(page, base, "root@example.org", PASSWORD)
    for path in ("/admin/", "/admin/accounts/organisation/", "/admin/accounts/user/"):
        page.goto(base + path)
        expect(page.locator("#content")).to_be_visible()
