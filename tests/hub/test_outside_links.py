"""Links from elsewhere, through the front door: a harvest of hostile feeds from the local
feed server, then every page, feed and API answer that shows what they carried.

Only http(s) links are stored or become an ``href``, and nothing on a page loads from
another site (images in posts become links to them).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone
from lxml import etree, html

from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Carriage, Item, Source
from tests.conftest import client_for
from tests.hub.feedserver import FeedServer, Route

DATA = Path(__file__).parent / "data"
HOSTILE = ["hostile-rss20.xml", "hostile-atom10.xml", "hostile-jsonfeed11.json"]
# Attributes a browser follows (links) or fetches with the page (everything else).
FOLLOWED = {"href", "action", "formaction", "cite", "ping"}
FETCHED = {"src", "srcset", "poster", "data", "background", "longdesc"}
WEB = re.compile(r"^https?://[^/?#\s]+", re.IGNORECASE)


def _as_a_browser_reads_it(value: str) -> str:
    # WHATWG URL: C0 controls and spaces around an address, tabs and newlines in it, go.
    return re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))


def _own_page(value: str) -> bool:
    return value.startswith(("/", "?", "#")) and not value.startswith("//")


def bad_links(page: bytes) -> list[str]:
    """Each link on ``page`` that is neither this site's nor http(s), and each address
    that would load from another site with the page."""
    bad = []
    for element in html.fromstring(page).iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            address = _as_a_browser_reads_it(value)
            if name in FETCHED and not _own_page(address):
                bad.append(f"<{element.tag} {name}={value!r}>")
            elif name in FOLLOWED and not (_own_page(address) or WEB.match(address)):
                bad.append(f"<{element.tag} {name}={value!r}>")
    return bad


@pytest.fixture
def hostile(feeds: FeedServer, db: None) -> list[Source]:
    """The three hostile sample feeds, harvested."""
    sources = []
    for name in HOSTILE:
        kind = "application/feed+json" if name.endswith(".json") else "application/xml"
        feeds.routes[f"/{name}"] = Route(body=(DATA / name).read_bytes(), content_type=kind)
        sources.append(
            services.source_add(feed_url=feeds.url(f"/{name}"), by=None, check_now=False)
        )
    services.harvest_due()
    return [Source.objects.get(pk=s.pk) for s in sources]


def test_only_http_links_are_stored(hostile: list[Source]) -> None:
    for source in hostile:
        assert source.last_outcome == Source.Outcome.OK, source.last_message
        assert source.site_url == ""  # each feed's own site link is a script
    assert Item.objects.count() == 16  # no entry is lost for its link
    links = [
        *Item.objects.values_list("link", flat=True),
        *Carriage.objects.values_list("original_link", flat=True),
    ]
    assert [link for link in links if link and not WEB.match(link)] == []
    assert sorted(link for link in links if link) == sorted(
        2
        * [
            "https://hostile.example/posts/7",
            "https://hostile.example/posts/8",
            "https://hostile.example/atom/2",
            "https://hostile.example/json/2",
        ]
    )
    for item in Item.objects.all():
        assert "<img" not in item.content and "src=" not in item.content


def test_pages_link_only_to_http_and_load_nothing_from_elsewhere(
    hostile: list[Source], client: Client, ben: User
) -> None:
    pages = ["/hub/", "/hub/sources/", "/hub/search/?q=link"]
    pages += [source.get_absolute_url() for source in hostile]
    pages += [item.get_absolute_url() for item in Item.objects.all()]
    for visitor in (client, client_for(ben)):
        for url in pages:
            response = visitor.get(url)
            assert response.status_code == 200, url
            assert bad_links(response.content) == [], url

    item = Item.objects.get(title="Links and images in the content")
    page = client.get(item.get_absolute_url()).content.decode()
    assert (
        'href="https://hostile.example/posts/8" rel="nofollow noopener">Read the original' in page
    )
    assert ">Image: The reading room</a>" in page
    assert "tracker.example" not in page
    linkless = Item.objects.get(title="Padded script link")
    assert "Read the original" not in client.get(linkless.get_absolute_url()).content.decode()


def test_feeds_out_and_the_api_carry_only_http_links(hostile: list[Source], client: Client) -> None:
    atom = etree.fromstring(client.get("/hub/feed.atom").content)
    hrefs = [link.get("href") for link in atom.iter("{http://www.w3.org/2005/Atom}link")]
    assert hrefs and all(WEB.match(href) for href in hrefs)
    for content in atom.iter("{http://www.w3.org/2005/Atom}content"):
        assert bad_links(f"<div>{content.text or ''}</div>".encode()) == []

    items = json.loads(client.get("/hub/feed.json").content)["items"]
    assert len(items) == 16
    for entry in items:
        assert entry["external_url"] is None or WEB.match(entry["external_url"])
        assert bad_links(f"<div>{entry['content_html']}</div>".encode()) == []

    listed = client.get("/api/v1/hub/items").json()["items"]
    assert {i["link"] for i in listed} == {
        "",
        "https://hostile.example/posts/7",
        "https://hostile.example/posts/8",
        "https://hostile.example/atom/2",
        "https://hostile.example/json/2",
    }
    detail = client.get(f"/api/v1/hub/items/{listed[0]['id']}").json()
    assert detail["link"] == "" or WEB.match(detail["link"])
    assert {s["site_url"] for s in client.get("/api/v1/hub/sources").json()} == {""}


def test_only_http_websites_are_kept_from_people_and_files(feeds: FeedServer, staff: User) -> None:
    sam = client_for(staff)
    source = services.source_add(feed_url=feeds.url("/feed.xml"), by=None, check_now=False)
    for website in ("javascript:alert(1)", "ftp://files.example/", "data:text/html,x"):
        response = sam.post(
            f"/hub/sources/{source.pk}/edit/",
            {"title": "T", "site_url": website, "description": "", "active": "on"},
        )
        assert response.status_code == 200, website  # the form again, with the error
        source.refresh_from_db()
        assert source.site_url == ""
    api = sam.patch(
        f"/api/v1/hub/sources/{source.pk}",
        {"site_url": "ftp://files.example/"},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert "http:// or https://" in api.json()["detail"]

    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head/><body>'
        b'<outline text="A" xmlUrl="https://a.example/feed" htmlUrl="javascript:alert(1)"/>'
        b'<outline text="B" xmlUrl="https://b.example/feed" htmlUrl=" JavaScript:alert(2)"/>'
        b'<outline text="C" xmlUrl="https://c.example/feed" htmlUrl="https://c.example/"/>'
        b"</body></opml>"
    )
    result = services.opml_import(data=opml, by=staff)
    assert {s.feed_url: s.site_url for s in result.added} == {
        "https://a.example/feed": "",
        "https://b.example/feed": "",
        "https://c.example/feed": "https://c.example/",
    }


def test_feed_discovery_offers_only_http_feeds(feeds: FeedServer, staff: User) -> None:
    feeds.routes["/site/"] = Route(
        body=b'<html><head><base href="javascript:alert(0)//">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b'<link rel="alternate" type="application/rss+xml" href=" data:text/xml,x">'
        b'<link rel="alternate" type="application/rss+xml" href="http://example.c[o.test/">'
        b'<link rel="alternate" type="application/atom+xml" href="feed.xml"></head></html>',
        content_type="text/html",
    )
    found = services.feeds_discover(url=feeds.url("/site/"))
    assert [f.url for f in found] == [feeds.url("/site/feed.xml")]


def test_links_stored_before_the_rule_are_blanked(db: None) -> None:
    """The data migration, on rows as an older Common Ground stored them."""
    now = timezone.now()
    source = Source.objects.create(
        feed_url="https://old.example/feed", title="Old", site_url=" javascript:alert(1)"
    )
    kept = Source.objects.create(
        feed_url="https://ok.example/feed", title="OK", site_url="https://ok.example/"
    )
    item = Item.objects.create(
        link_key="a" * 40,
        link="JavaScript:alert(2)",
        title="Old item",
        content='<p>A <img src="https://photos.example/a.jpg" alt="room"> and '
        '<a href="mailto:a@b.example" rel="nofollow noopener">mail</a>.</p>',
        published_at=now,
        content_hash="old",
    )
    Carriage.objects.create(
        item=item, source=source, entry_key="e", original_link="data:text/html,x", published_at=now
    )
    migration = importlib.import_module("commonground.hub.migrations.0004_outside_links")
    migration.links_to_web_only(apps, None)
    migration.content_again(apps, None)

    source.refresh_from_db()
    kept.refresh_from_db()
    item.refresh_from_db()
    assert (source.site_url, kept.site_url) == ("", "https://ok.example/")
    assert item.link == ""
    assert item.carriages.get().original_link == ""
    assert item.content == (
        '<p>A <a href="https://photos.example/a.jpg" rel="nofollow noopener">Image: room</a>'
        ' and <a rel="nofollow noopener">mail</a>.</p>'
    )
    assert item.text == "A Image: room and mail."
    assert item.content_hash != "old"
