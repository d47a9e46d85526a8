"""The Hub in a real browser: every page passes axe and reflows; add a source, search, follow,
comment and moderate as people would."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import expect

from commonground.accounts.models import User
from commonground.hub import services, vocabulary
from commonground.hub.models import Comment, Follow, Item, Source
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import check_axe, check_reflow, sign_in
from tests.hub.feedserver import FeedServer, Route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db: None) -> None:
    # Transactional tests empty every table afterwards, the seeded sectors and themes too.
    vocabulary.seed(apps)


@pytest.fixture
def hub(seeded: None, commons: FeedServer, staff: User) -> dict[str, Any]:
    """Three harvested hubs, a person who follows and comments, and a reported comment."""
    mo = make_person("mo@example.org", "Mo Member")
    item = Item.objects.get(title="Walk leaders' first year")
    comment = services.comment_add(item=item, author=mo, body="We ran walks like this in 2024.")
    services.comment_add(item=item, author=staff, body="How many leaders?", parent=comment)
    services.comment_report(comment=comment, reporter=staff, reason="Check the dates")
    services.comment_hide(
        comment=services.comment_add(item=item, author=mo, body="Buy cheap watches"),
        by=staff,
        reason="Advertising",
    )
    services.follow_add(user=mo, query="repair")
    return {"item": item, "source": Source.objects.order_by("pk").first(), "feeds": commons}


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status < 500, url
    check_axe(page)
    check_reflow(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_hub_pages(page: Any, live_server: Any, hub: dict[str, Any], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url
    item, source = hub["item"], hub["source"]
    public = [
        "/hub/",
        f"/hub/items/{item.pk}/",
        "/hub/search/",
        "/hub/search/?q=walk+leaders",
        "/hub/search/?q=nothing+like+this",
        "/hub/sources/",
        f"/hub/sources/{source.pk}/",
        "/hub/sectors/health/",
        "/hub/themes/volunteering/",
        "/hub/?page=99",
    ]
    for path in public:
        visit(page, base + path)
    sign_in(page, base, "sam@example.org", PASSWORD)
    staff_pages = [
        f"/hub/items/{item.pk}/",
        "/hub/moderation/",
        "/hub/sources/",
        "/hub/sources/add/",
        "/hub/sources/import/",
        f"/hub/sources/{source.pk}/",
        f"/hub/sources/{source.pk}/edit/",
        "/hub/following/",
    ]
    for path in staff_pages:
        visit(page, base + path)


def test_add_a_source_by_its_website(page: Any, live_server: Any, hub: dict[str, Any]) -> None:
    feeds: FeedServer = hub["feeds"]
    feeds.routes["/museum/"] = Route(
        content_type="text/html; charset=utf-8",
        body=(
            b"<!doctype html><html><head><title>Harbour Museum</title>"
            b'<link rel="alternate" type="application/rss+xml" title="Harbour news"'
            b' href="news.xml">'
            b"</head><body>Hello</body></html>"
        ),
    )
    feeds.routes["/museum/news.xml"] = Route(
        body=(
            b"<rss version='2.0'><channel><title>Harbour news</title>"
            b"<item><title>Oral histories from the dockside</title>"
            b"<link>https://harbour.example/oral-histories</link>"
            b"<description>Recording dockers' memories with volunteers.</description>"
            b"<pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
        )
    )
    base = live_server.url
    sign_in(page, base, "sam@example.org", PASSWORD)
    page.goto(f"{base}/hub/sources/")
    page.get_by_role("link", name="Add a hub").click()
    page.get_by_label("Website or feed address").fill(feeds.url("/nowhere/"))
    page.get_by_role("button", name="Find its feeds").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_axe(page)
    page.get_by_label("Website or feed address").fill(feeds.url("/museum/"))
    page.get_by_role("button", name="Find its feeds").click()
    page.get_by_label("Harbour news (rss").check()
    page.get_by_label("Museums").check()
    check_axe(page)
    page.get_by_role("button", name="Collect this feed").click()
    expect(page.get_by_role("heading", name="Harbour news")).to_be_visible()
    expect(page.get_by_text("Oral histories from the dockside")).to_be_visible()
    check_axe(page)
    added = Source.objects.get(feed_url=feeds.url("/museum/news.xml"))
    assert [s.slug for s in added.sectors.all()] == ["museums"]


def test_search_filter_and_follow(page: Any, live_server: Any, hub: dict[str, Any]) -> None:
    base = live_server.url
    sign_in(page, base, "mo@example.org", PASSWORD)
    page.goto(f"{base}/hub/")
    page.get_by_label("Search the commons").fill("repair kettles")
    page.get_by_label("Search the commons").press("Enter")
    result = page.get_by_role("link", name="Running a repair café in the reading room")
    expect(result).to_be_visible()
    expect(page.locator("mark", has_text="kettles").first).to_be_visible()
    page.get_by_label("Sector").select_option(label="Health")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("Nothing matches every word")).to_be_visible()
    check_axe(page)
    page.get_by_label("Sector").select_option(label="Any sector")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("You now follow this.")).to_be_visible()
    page.goto(f"{base}/hub/themes/volunteering/")
    page.get_by_role("button", name="Follow").click()
    page.goto(f"{base}/hub/following/")
    expect(
        page.get_by_role("region", name="What you follow").get_by_role("link", name="Volunteering")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Running a repair café in the reading room")
    ).to_be_visible()
    check_axe(page)
    atom = page.get_by_label("Atom").input_value()
    private = page.context.request.get(atom)
    assert private.status == 200 and "repair café" in private.text()
    assert Follow.objects.filter(user__email="mo@example.org").count() == 3


def test_comment_report_and_moderate(
    browser: Any, page: Any, live_server: Any, hub: dict[str, Any]
) -> None:
    base = live_server.url
    item = hub["item"]
    sign_in(page, base, "mo@example.org", PASSWORD)
    page.goto(f"{base}/hub/items/{item.pk}/")
    page.get_by_label("Add a comment").fill("Our walk leaders meet monthly.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    mine = Comment.objects.get(body="Our walk leaders meet monthly.")
    thread = page.locator(f"#comment-{mine.pk}")
    thread.locator("summary").click()
    thread.get_by_label("Why should a moderator look at this?").fill("Testing the queue")
    thread.get_by_role("button", name="Report comment").click()
    expect(page.get_by_text("A moderator will look at that comment")).to_be_visible()
    check_axe(page)

    moderator = browser.new_context().new_page()
    sign_in(moderator, base, "sam@example.org", PASSWORD)
    moderator.goto(f"{base}/hub/moderation/")
    entry = moderator.get_by_role("listitem").filter(has_text="Our walk leaders meet monthly.")
    entry.get_by_label("Reason for hiding").fill("Duplicate of the newsletter")
    entry.get_by_role("button", name="Hide comment").click()
    expect(moderator.get_by_text("The comment is hidden.")).to_be_visible()
    check_axe(moderator)
    moderator.context.close()

    reader = browser.new_context().new_page()
    reader.goto(f"{base}/hub/items/{item.pk}/")
    expect(reader.get_by_text("Our walk leaders meet monthly.")).to_have_count(0)
    expect(reader.get_by_text("We ran walks like this in 2024.")).to_be_visible()
    reader.context.close()
    page.reload()
    expect(page.get_by_text("Hidden by a moderator: Duplicate of the newsletter")).to_be_visible()


def test_follow_and_stop_following_a_hub(page: Any, live_server: Any, hub: dict[str, Any]) -> None:
    """The button says whether you follow, and toggles (the test below does the same
    without JavaScript)."""
    base = live_server.url
    source = hub["source"]
    url = f"{base}/hub/sources/{source.pk}/"
    sign_in(page, base, "mo@example.org", PASSWORD)
    page.goto(url)
    expect(page.get_by_text("Collected by this site")).to_be_visible()
    expect(page.get_by_text("Check history")).to_have_count(0)
    page.get_by_role("button", name=f"Follow {source.title}", exact=True).click()
    expect(page.get_by_text("You now follow this.")).to_be_visible()
    expect(page.get_by_text("You follow this", exact=True)).to_be_visible()
    stop = page.get_by_role("button", name=f"Stop following {source.title}")
    expect(stop).to_be_visible()
    assert page.url == url
    check_axe(page)
    check_reflow(page)
    stop.click()
    expect(page.get_by_text("You no longer follow this.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Follow {source.title}", exact=True)).to_be_visible()
    assert not Follow.objects.filter(user__email="mo@example.org", source=source).exists()


def test_follow_and_stop_following_without_javascript(
    browser: Any, live_server: Any, hub: dict[str, Any]
) -> None:
    """Following is a plain form: with scripts off, the button still follows, says so,
    and stops following (issue 14)."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    source = hub["source"]
    url = f"{base}/hub/sources/{source.pk}/"
    sign_in(page, base, "mo@example.org", PASSWORD)
    page.goto(url)
    page.get_by_role("button", name=f"Follow {source.title}", exact=True).click()
    expect(page.get_by_text("You now follow this.")).to_be_visible()
    expect(page.get_by_text("You follow this", exact=True)).to_be_visible()
    assert page.url == url
    assert Follow.objects.filter(user__email="mo@example.org", source=source).exists()
    page.get_by_role("button", name=f"Stop following {source.title}").click()
    expect(page.get_by_text("You no longer follow this.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Follow {source.title}", exact=True)).to_be_visible()
    assert page.url == url
    assert not Follow.objects.filter(user__email="mo@example.org", source=source).exists()
    context.close()
