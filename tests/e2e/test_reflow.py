"""Every page a person can reach, not a sample, reflows at 320 px (WCAG 1.4.10) and keeps
its tab bar to two rows: the browser follows every link from the home page, as a
newcomer, a member and an admin, over the demonstration content."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps

from commonground.accounts import demo as accounts_demo
from commonground.accounts.models import Membership, Role, User
from commonground.evaluation import demo as evaluation_demo
from commonground.evaluation.models import Programme
from commonground.hub import vocabulary
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not pages: downloads, feeds, the API, the admin (Django's own layout), signing out.
SKIP = re.compile(
    r"(\.(pdf|docx|md|csv|xlsx|qdc|qdpx|opml|json|atom|rss|xml)$|/feed\.|/api/v1/(?!docs/)|^/admin/"
    r"|/logout/|/demo-feeds/|/download/)"
)
# Enough to reach every kind of page; lists link many pages of the same kind.
MOST = 150
SAME_KIND = re.compile(r"\d+")


@pytest.fixture
def seeded(transactional_db: None) -> None:
    # Browser tests empty the database after each run, migrations' seed included.
    vocabulary.seed(apps)


@pytest.fixture
def demo_site(seeded: None, commons: Any) -> dict[str, User]:
    accounts_demo.load()
    evaluation_demo.load()
    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    member = make_person("member@reflow.example.org", "Mo Member")
    Membership.objects.create(user=member, organisation=programme.organisation, roles=set())
    admin = make_person("admin@reflow.example.org", "Ada Reflow")
    Membership.objects.create(
        user=admin, organisation=programme.organisation, roles={Role.ADMIN, Role.EVALUATOR}
    )
    return {"member": member, "admin": admin}


def _crawl(page: Any, base: str) -> tuple[int, list[str]]:
    """Visit pages by following links from the home page; return how many were visited
    and what went wrong."""
    wrong: list[str] = []
    seen: set[str] = set()
    kinds: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MOST:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wrong.append(f"{path} is {width}px wide at 320px")
        # A new row starts where a tab sits lower than the one before by more than a few
        # pixels (the current tab's heavier border moves it by one or two).
        rows = page.evaluate(
            """() => [...document.querySelectorAll('.tabs')].map(bar => {
                const tops = [...bar.querySelectorAll('a, [aria-current]')]
                    .map(a => a.getBoundingClientRect().top).sort((x, y) => x - y);
                return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 12).length;
            })"""
        )
        if any(count > 2 for count in rows):
            wrong.append(f"{path} wraps its tab bar to {max(rows)} rows")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base).netloc or SKIP.search(parts.path):
                continue
            kind = SAME_KIND.sub("#", parts.path)
            if parts.path not in seen and kinds.get(kind, 0) < 3:
                kinds[kind] = kinds.get(kind, 0) + 1
                queue.append(parts.path)
    return len(seen), wrong


@pytest.mark.parametrize("persona", ["anonymous", "member", "admin"])
def test_no_page_scrolls_sideways_at_320px(
    page: Any, live_server: Any, demo_site: dict[str, User], persona: str
) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    base = live_server.url
    if persona != "anonymous":
        sign_in(page, base, demo_site[persona].email, PASSWORD)
    visited, wrong = _crawl(page, base)
    print(f"{persona}: {visited} pages at 320px")
    assert visited >= {"anonymous": 20, "member": 30, "admin": 100}[persona]
    assert wrong == [], "\n".join(wrong)
