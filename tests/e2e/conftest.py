"""Browser fixtures: Playwright driving the system Chromium, and an axe check."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Flags for a quiet headless Chromium on a machine with no outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Console messages in which Chromium reports a Content-Security-Policy violation, from
# every page of every context the tests open; a test that caused one fails.
CSP_VIOLATIONS: list[str] = []


def _note_csp_violation(message: Any) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.location.get('url', '?')}: {message.text}")


class WatchedBrowser:
    """The browser, with each new context reporting Content-Security-Policy violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", _note_csp_violation)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(
        os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None,
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        need(False, "Playwright is not installed (uv sync)")
        raise
    # Playwright's sync API runs an event loop in this thread; the Django calls
    # the tests make around it are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield WatchedBrowser(browser)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def check_axe(page: Any) -> None:
    """Fail with axe's report if the page breaks any WCAG 2.x A or AA rule."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    for attempt in range(3):
        # A click that navigates returns before the next document exists; axe
        # started in between finds no document, so wait for it and try again.
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page, options=options)
            break
        except Error as error:
            between = "documentElement" in str(error) or "context was destroyed" in str(error)
            if attempt == 2 or not between:
                raise
            page.wait_for_timeout(200)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def check_reflow(page: Any) -> None:
    """At 320 CSS pixels wide nothing needs scrolling sideways (WCAG 1.4.10)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:  # name the outermost elements that stick out, to fix them
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => {
                 const out = (x) => x.getBoundingClientRect().right > innerWidth + 1;
                 return out(e) && !(e.parentElement && out(e.parentElement));
               }).slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
        )
        raise AssertionError(f"{page.url} is {width}px wide in a {viewport}px window: {wide}")


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
