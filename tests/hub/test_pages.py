"""The Hub's pages and feeds, through the front door, as the fixed personas."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Comment, Item, Sector, Source
from commonground.hub.parse import parse
from commonground.lib import opml
from tests.conftest import client_for
from tests.hub.feedserver import FeedServer, Route

DATA = Path(__file__).parent / "data"


def test_lists_and_item_pages_take_a_fixed_number_of_queries(
    commons: FeedServer, client: Client, django_assert_max_num_queries: object
) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    pages = [
        "/hub/",
        f"/hub/items/{item.pk}/",
        "/hub/search/?q=walkers",
        f"/hub/sources/{source.pk}/",
        "/hub/sectors/health/",
        "/hub/themes/volunteering/",
        "/hub/sources/",
    ]
    for url in pages:
        with django_assert_max_num_queries(12):  # type: ignore[operator]
            response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/hub/items/{item.pk}/").content.decode()
    assert "Walk leaders&#x27; first year" in page or "Walk leaders' first year" in page
    assert 'href="https://healthwalks.example/blog/routes" rel="nofollow noopener"' in page
    assert "Health &amp; Walks" in page


def test_search_ranks_highlights_and_filters(commons: FeedServer, client: Client) -> None:
    page = client.get("/hub/search/", {"q": "repair kettles"}).content.decode()
    assert "Running a repair café" in page
    assert "<mark>kettles</mark>" in page
    health = Sector.objects.get(slug="health")
    filtered = client.get(
        "/hub/search/", {"q": "repair kettles", "sector": health.pk}
    ).content.decode()
    assert "Running a repair café" not in filtered
    assert "Nothing matches every word" in filtered
    hostile = client.get("/hub/search/", {"q": '"unbalanced NEAR( * OR'}).status_code
    assert hostile == 200


def test_every_list_is_a_feed_with_304_and_paging(commons: FeedServer, client: Client) -> None:
    home = client.get("/hub/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in home
    for fmt in ("atom", "json"):
        response = client.get(f"/hub/feed.{fmt}")
        assert response.status_code == 200
        feed = parse(response.content, url="http://testserver/hub/feed." + fmt)
        assert {e.title for e in feed.entries} >= {
            "Walk leaders' first year",
            "Running a repair café in the reading room",
        }
        again = client.get(f"/hub/feed.{fmt}", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    for n in range(25):
        Item.objects.create(
            link_key=f"k{n}",
            link=f"https://x.example/{n}",
            title=f"Filler {n}",
            published_at=Item.objects.first().published_at,
            content_hash="x",
        )  # type: ignore[union-attr]
    first = client.get("/hub/feed.json").json()
    assert first["next_url"].endswith("/hub/feed.json?page=2")
    second = client.get("/hub/feed.json?page=2").json()
    assert second["items"] and "next_url" not in second
    atom = client.get("/hub/search/feed.atom", {"q": "filler"}).content.decode()
    assert 'rel="next"' in atom


@pytest.mark.django_db
def test_items_come_with_their_hubs_first_carried_first_and_their_themes_by_name(
    django_assert_num_queries: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from commonground.hub import selectors
    from commonground.hub.models import Carriage, ItemTheme, Theme

    now = timezone.now()
    early = Source.objects.create(feed_url="https://early.example/feed", title="Early hub")
    late = Source.objects.create(feed_url="https://late.example/feed", title="Late hub")
    items = [
        Item.objects.create(
            link_key=str(n) * 40,
            link=f"https://x.example/{n}",
            title=f"Item {n}",
            published_at=now,
            content_hash="x",
        )
        for n in range(3)
    ]
    for n, item in enumerate(items[:2]):
        Carriage.objects.create(item=item, source=late, entry_key=f"l{n}", published_at=now)
        Carriage.objects.create(
            item=item, source=early, entry_key=f"e{n}", published_at=now - timedelta(days=1)
        )
    themes = list(Theme.objects.order_by("-name")[:2])
    for theme in themes:
        ItemTheme.objects.create(item=items[0], theme=theme)

    with django_assert_num_queries(2):
        first, second, bare = selectors.with_sources(items)
    assert [c.source.title for c in first.carriage_list] == ["Early hub", "Late hub"]
    assert first.carriage_list[0].source is second.carriage_list[0].source  # one per hub
    assert [t.name for t in first.theme_list] == sorted(t.name for t in themes)
    assert second.theme_list == [] and bare.carriage_list == [] and bare.theme_list == []
    # What was not loaded loads when asked for.
    assert first.carriage_list[0].source.feed_url == "https://early.example/feed"
    assert first.theme_list[0].description == Theme.objects.get(name=themes[1].name).description
    assert selectors.with_sources([]) == []


def test_same_link_from_two_hubs_is_one_item(feeds: FeedServer, db: None) -> None:
    a = b"<rss version='2.0'><channel><title>A</title><item><title>Guide</title><link>https://Guide.example:443/g?b=2&amp;a=1&amp;utm_source=a#top</link></item></channel></rss>"
    b = b"<rss version='2.0'><channel><title>B</title><item><title>The guide</title><link>http://guide.example/g?a=1&amp;b=2&amp;fbclid=zz</link></item></channel></rss>"
    feeds.routes |= {"/a": Route(body=a), "/b": Route(body=b)}
    for path in ("/a", "/b"):
        services.source_add(feed_url=feeds.url(path), by=None, check_now=False)
    summary = services.harvest_due()
    assert summary.new_items == 1
    item = Item.objects.get()
    assert item.carriages.count() == 2


def test_comments_reports_and_moderation(
    commons: FeedServer, ben: User, olu: User, staff: User
) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    ben_client, olu_client, staff_client = client_for(ben), client_for(olu), client_for(staff)
    assert Client().post(f"/hub/items/{item.pk}/comments/", {"body": "hi"}).status_code == 302
    ben_client.post(
        f"/hub/items/{item.pk}/comments/", {"body": "We did this <script>x()</script> too."}
    )
    comment = Comment.objects.get()
    olu_client.post(f"/hub/items/{item.pk}/comments/", {"body": "How?", "parent": comment.pk})
    assert Comment.objects.filter(parent=comment).count() == 1
    page = olu_client.get(f"/hub/items/{item.pk}/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert olu_client.post(f"/hub/comments/{comment.pk}/hide/").status_code == 403
    olu_client.post(f"/hub/comments/{comment.pk}/report/", {"reason": "Spam"})
    queue = staff_client.get("/hub/moderation/").content.decode()
    assert "Spam" in queue
    staff_client.post(f"/hub/comments/{comment.pk}/hide/", {"reason": "Off topic", "next": "queue"})
    assert "We did this" not in olu_client.get(f"/hub/items/{item.pk}/").content.decode()
    assert "Hidden by a moderator" in ben_client.get(f"/hub/items/{item.pk}/").content.decode()
    queue_after = staff_client.get("/hub/moderation/").content.decode()
    assert "No reported comments" in queue_after, queue_after[queue_after.index("<main") :]


@override_settings(HUB_COMMENT_RATE="2/m")
def test_commenting_too_fast_keeps_the_words_and_says_why(
    commons: FeedServer, ben: User, caplog: pytest.LogCaptureFixture
) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    ben_client = client_for(ben)
    url = f"/hub/items/{item.pk}/comments/"
    assert [ben_client.post(url, {"body": f"Point {n}"}).status_code for n in (1, 2)] == [303, 303]
    refused = ben_client.post(url, {"body": "A third thought, typed with care."})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You have posted a lot of comments in a short time" in page
    assert ">A third thought, typed with care.</textarea>" in page
    assert Comment.objects.count() == 2
    assert "Too many requests: POST /hub/items/" in caplog.text
    # A reply refused alike comes back in its own box, opened.
    first = Comment.objects.first()
    assert first is not None
    reply = ben_client.post(url, {"body": "Replying too soon", "parent": first.pk})
    assert reply.status_code == 429
    assert ">Replying too soon</textarea>" in reply.content.decode()
    # The API says the same with 429.
    api = ben_client.post(
        f"/api/v1/hub/items/{item.pk}/comments",
        {"body": "Via the API"},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert "a lot of comments" in api.json()["detail"]


def test_an_empty_comment_comes_back_with_its_reason(commons: FeedServer, ben: User) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    response = client_for(ben).post(f"/hub/items/{item.pk}/comments/", {"body": "   "})
    assert response.status_code == 422
    assert "Write something before posting." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_follow_and_private_feed(commons: FeedServer, ben: User, olu: User) -> None:
    source = Source.objects.get(feed_url=commons.url("/atom10.xml"))
    ben_client = client_for(ben)
    ben_client.post("/hub/follow/", {"source": source.pk})
    ben_client.post("/hub/follow/", {"query": "repair"})
    ben_client.post("/hub/follow/", {"source": source.pk})  # twice changes nothing
    assert ben.hub_follows.count() == 2
    page = ben_client.get("/hub/following/").content.decode()
    key = re.search(r"/hub/following/([\w-]+)/feed\.atom", page)
    assert key is not None
    feed = parse(
        Client().get(f"/hub/following/{key.group(1)}/feed.atom").content, url="http://testserver/"
    )
    titles = {e.title for e in feed.entries}
    assert (
        "Walk leaders' first year" in titles
        and "Running a repair café in the reading room" in titles
    )
    assert Client().get("/hub/following/wrong-key/feed.atom").status_code == 404
    assert client_for(olu).get("/hub/following/").content.decode().count("Stop following") == 0
    ben_client.post("/hub/following/reset-feed/")
    assert Client().get(f"/hub/following/{key.group(1)}/feed.atom").status_code == 404


def test_only_site_admins_add_sources_found_by_discovery(
    feeds: FeedServer, ben: User, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    feeds.routes["/site/"] = Route(
        body=b'<html><head><link rel="alternate" type="application/rss+xml" title="News" '
        b'href="news.xml"></head></html>',
        content_type="text/html",
    )
    feeds.routes["/site/news.xml"] = Route(body=(DATA / "rss20.xml").read_bytes())
    assert client_for(ben).get("/hub/sources/add/").status_code == 403
    staff_client = client_for(staff)
    found = staff_client.post(
        "/hub/sources/add/", {"address": feeds.url("/site/")}
    ).content.decode()
    assert feeds.url("/site/news.xml") in found
    libraries = Sector.objects.get(slug="libraries")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/hub/sources/add/",
            {
                "address": feeds.url("/site/"),
                "feed_url": feeds.url("/site/news.xml"),
                "sectors": [libraries.pk],
            },
        )
    source = Source.objects.get(feed_url=feeds.url("/site/news.xml"))
    assert response.status_code == 303
    assert source.items.count() == 2  # checked at once (no workers in tests)
    bad = staff_client.post(
        "/hub/sources/add/", {"address": "http://127.0.0.9:1/"}
    ).content.decode()
    assert "private or local address" in bad


def test_opml_out_and_in(commons: FeedServer, client: Client, tmp_path: Path) -> None:
    response = client.get("/hub/sources.opml")
    outlines = opml.read(response.content)
    assert {o.feed_url for o in outlines} == set(Source.objects.values_list("feed_url", flat=True))
    assert {o.folders for o in outlines} >= {("Health",), ("Libraries",)}
    Source.objects.all().delete()
    path = tmp_path / "list.opml"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("hub", "import-opml", str(path), "--sector", "Museums", stdout=out)
    assert "Added 3 sources" in out.getvalue()
    assert Source.objects.filter(sectors__slug="museums").count() == 3
    out = io.StringIO()
    call_command("hub", "harvest", "--due", stdout=out)
    # The items are not new, but now come from museums: they are related again.
    assert re.fullmatch(
        r"3 sources checked, 0 unchanged, 0 failed, 0 new items, 0 updated items, "
        r"[\d.]+ seconds; 6 items related in [\d.]+ s\n",
        out.getvalue(),
    ), out.getvalue()


def test_opml_import_says_what_is_wrong(staff: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(staff).post(
        "/hub/sources/import/", {"file": SimpleUploadedFile("x.opml", b"<html>nope</html>")}
    )
    assert "this XML is not OPML" in response.content.decode()
    assert json.dumps(1)


def test_a_broad_search_ranks_its_newest_matches_and_says_so(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from commonground.hub import search

    made = [
        Item.objects.create(
            link_key=f"forum{n}",
            link=f"https://tenants.example/{n}",
            title=f"Tenants forum {n}",
            text="Minutes of the tenants forum.",
            published_at=timezone.now(),
            content_hash="x",
        )
        for n in range(4)
    ]
    everything = search.search("tenants forum")
    assert everything.total == 4 and not everything.more
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    narrowed = search.search("tenants forum")
    assert narrowed.more and narrowed.total == 2
    assert sorted(h.id for h in narrowed.hits) == [made[2].pk, made[3].pk]
    page = client.get("/hub/search/", {"q": "tenants forum"}).content.decode()
    assert "these are the best of the newest 2" in page


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "9" * 5000, "-1", "abc"])
def test_an_odd_page_number_shows_the_first_page(commons: FeedServer, page: str) -> None:
    response = Client().get("/hub/", {"page": page})
    assert response.status_code == 200
