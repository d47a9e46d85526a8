"""What only a browser shows: signing up and in, invitations, htmx, keyboard, no JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from commonground.accounts.models import Membership, Role, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_axe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_sign_out_and_sign_in(page: Any, live_server: Any) -> None:
    base = live_server.url
    page.goto(base)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    # The error summary is announced, focused and links to the field.
    summary = page.locator("[data-error-summary]")
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("Error:")
    check_axe(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_axe(page)
    confirm_from_email(page, "nia@example.org")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome, Nia Newcomer")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    sign_in(page, base, "nia@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Nia Newcomer")).to_be_visible()


def confirm_from_email(page: Any, address: str) -> None:
    """Open the confirmation link last emailed to ``address`` and confirm it."""
    body = next(m.body for m in reversed(mail.outbox) if m.to == [address])
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert link is not None
    page.goto(link.group(0))
    check_axe(page)
    page.get_by_role("button", name="Yes, confirm it").click()


def test_invite_and_accept(browser: Any, page: Any, live_server: Any, ada: User) -> None:
    base = live_server.url
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/organisations/riverside/")
    page.get_by_role("link", name="Invitations").click()
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Role").select_option("facilitator")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("An invitation is on its way to sam@example.org")).to_be_visible()
    expect(page.get_by_role("cell", name="sam@example.org", exact=True)).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body)
    assert link is not None
    path = link.group(0).split("/invitations/", 1)[1]

    sam = browser.new_context().new_page()
    sam.goto(f"{base}/invitations/{path}")
    expect(sam.get_by_role("heading", name="Join Riverside Libraries")).to_be_visible()
    sam.get_by_role("link", name="Create an account").click()
    sam.get_by_label("Your name").fill("Sam Facilitator")
    sam.get_by_label("Email address").fill("sam@example.org")
    sam.get_by_label("Password").fill(PASSWORD)
    sam.get_by_role("button", name="Create account").click()
    expect(sam.get_by_role("heading", name="Check your email")).to_be_visible()
    confirm_from_email(sam, "sam@example.org")
    sam.get_by_role("button", name="Join Riverside Libraries").click()
    expect(sam.get_by_text("You have joined Riverside Libraries.")).to_be_visible()
    assert Membership.objects.get(user__email="sam@example.org").roles == {Role.FACILITATOR}
    sam.context.close()


def test_role_change_with_htmx_keeps_the_page(
    page: Any, live_server: Any, ada: User, ben: User
) -> None:
    base = live_server.url
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/organisations/riverside/members/")
    page.evaluate("window.__stillHere = true")
    roles = page.get_by_role("group", name="Roles of Ben Member")
    roles.get_by_label("Evaluator").check()
    roles.get_by_label("Facilitator").check()
    page.get_by_role("button", name="Save roles of Ben Member").click()
    expect(page.get_by_text("Saved: facilitator, evaluator.")).to_be_visible()
    assert page.evaluate("window.__stillHere === true")  # swapped in place, no reload
    assert Membership.objects.get(user=ben).roles == {Role.FACILITATOR, Role.EVALUATOR}
    check_axe(page)


def test_skip_link_is_the_first_tab_stop(page: Any, live_server: Any) -> None:
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_reading_and_signing_in_work_without_javascript(
    browser: Any, live_server: Any, ada: User
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/organisations/")
    expect(page.get_by_role("link", name="Riverside Libraries")).to_be_visible()
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/organisations/riverside/members/")
    page.get_by_role("group", name="Roles of Ada Admin").get_by_label("Admin").uncheck()
    page.get_by_role("button", name="Save roles of Ada Admin").click()
    # Without htmx the form posts and the page comes back with the reason it was refused.
    expect(page.get_by_text("only admin of Riverside Libraries")).to_be_visible()
    context.close()
