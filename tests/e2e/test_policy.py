"""The Content-Security-Policy holds in a real browser, and the suite would notice a breach."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import CSP_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_script_and_style_written_into_a_page_do_not_run(page: Any, live_server: Any) -> None:
    page.goto(live_server.url)
    # As an injected fragment would: a script and a style element added to the page.
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.ran = true';
            document.head.append(script);
            const style = document.createElement('style');
            style.textContent = 'body { display: none }';
            document.head.append(style);
        }"""
    )
    assert page.evaluate("window.ran === undefined")
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    # Chromium reported both, so a page of ours that broke the policy would fail its test.
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    assert any("inline script" in text for text in found), found
    assert any("inline style" in text for text in found), found


def test_a_link_to_a_script_url_does_nothing(page: Any, live_server: Any) -> None:
    page.goto(live_server.url)
    page.evaluate(
        """() => {
            const link = document.createElement('a');
            link.href = 'javascript:window.ran = true';
            link.textContent = 'Read the original';
            document.querySelector('main').append(link);
        }"""
    )
    page.get_by_role("link", name="Read the original").click()
    assert page.evaluate("window.ran === undefined")
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    assert found, "the click should have been refused"
