"""The home page and the main navigation in a real browser, as a newcomer and signed in:
axe finds nothing at 1280 and 320 pixels, nothing scrolls sideways, and the way into each
part works with a keyboard and without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from commonground.accounts.models import Invitation, Organisation, Role, User
from commonground.evaluation.models import Programme
from commonground.hub import services, vocabulary
from commonground.hub.models import Source
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_axe, check_reflow, sign_in
from tests.hub.feedserver import FeedServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db: None) -> None:
    # Transactional tests empty every table afterwards, the seeded sectors and themes too.
    vocabulary.seed(apps)


@pytest.fixture
def signed_in_content(
    seeded: None,
    commons: FeedServer,
    ada: User,
    olu: User,
    elsewhere: Organisation,
    programme: Programme,
) -> None:
    """Everything Ada's home page draws: three followed hubs with new items, a programme
    she evaluates, her organisation, and an invitation waiting for her."""
    for source in Source.objects.all():
        services.follow_add(user=ada, source=source)
    Invitation.objects.create(
        organisation=elsewhere,
        email=ada.email,
        role=Role.EVALUATOR,
        invited_by=olu,
        expires=timezone.now() + timedelta(days=3),
    )


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status < 500, url
    check_axe(page)
    check_reflow(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_home_and_navigation_as_a_newcomer(page: Any, live_server: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url
    visit(page, base + "/")
    expect(
        page.get_by_role("heading", name="Common ground for community engagement")
    ).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "Hub", "Learn", "Frameworks", "Organisations"]
    )
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    for heading in ("Hub: what every sector is learning", "Evaluate: evidence and outcomes"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # Each part's entry leads there and is marked as where the person is.
    nav.get_by_role("link", name="Hub").click()
    page.wait_for_url(base + "/hub/")
    expect(nav.get_by_role("link", name="Hub")).to_have_attribute("aria-current", "page")
    check_axe(page)
    nav.get_by_role("link", name="Organisations").click()
    page.wait_for_url(base + "/organisations/")
    expect(nav.get_by_role("link", name="Organisations")).to_have_attribute("aria-current", "page")
    footer = page.get_by_role("navigation", name="Footer")
    expect(footer.get_by_role("link", name="API documentation")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 320])
def test_home_and_navigation_signed_in(
    page: Any, live_server: Any, signed_in_content: None, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url
    sign_in(page, base, "ada@example.org", PASSWORD)
    visit(page, base + "/")
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    expect(page.get_by_role("heading", name="Hub: what you follow")).to_be_visible()
    expect(page.get_by_text("in the last week")).to_be_visible()
    expect(page.get_by_text("New", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Engaging Communities 2026")).to_be_visible()
    expect(page.get_by_text("Elsewhere Museum invites you to join as evaluator")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "Hub", "Learn", "Frameworks", "Groups", "Evaluate", "Organisations"]
    )
    page.get_by_role("link", name="Engaging Communities 2026").click()
    expect(nav.get_by_role("link", name="Evaluate")).to_have_attribute("aria-current", "true")
    check_axe(page)
    visit(page, base + "/")
    page.get_by_role("link", name="See the invitation from Elsewhere Museum").click()
    expect(page.get_by_role("button", name="Join Elsewhere Museum")).to_be_visible()


def test_searching_the_hub_from_home_works_by_keyboard_and_without_javascript(
    browser: Any, live_server: Any, signed_in_content: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    page.goto(base + "/")
    search = page.get_by_role("searchbox", name="Search the Hub")
    search.focus()
    page.keyboard.type("walk leaders")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/hub/search/?q=walk+leaders")
    expect(page.get_by_role("heading", name="Search: walk leaders")).to_be_visible()
    # A common address reaches the same page, the query kept.
    page.goto(base + "/search/?q=walk+leaders")
    assert page.url == base + "/hub/search/?q=walk+leaders"
    page.goto(base + "/login/")
    assert page.url == base + "/accounts/login/"
    context.close()
