"""Find the feeds a web page offers. Pure: no ORM, no network."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree, html

from commonground.lib.sanitise import web_link

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS 1.0",
    "application/xml": "XML feed",
    "text/xml": "XML feed",
}
# Where sites commonly keep a feed when their pages do not link one.
COMMON_PATHS = ["/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json"]


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str
    kind: str


def feed_links(page: bytes, *, url: str) -> list[FoundFeed]:
    """The ``<link rel="alternate">`` feeds in an HTML page, in page order, without repeats."""
    try:
        document = html.fromstring(page, base_url=url)
    except (etree.ParserError, ValueError):
        return []
    base = url
    for base_element in document.iter("base"):
        if base_element.get("href"):
            base = web_link(base_element.get("href"), base=url) or url
            break
    found: list[FoundFeed] = []
    seen: set[str] = set()
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or not kind or not href:
            continue
        absolute = web_link(href, base=base)
        if not absolute or absolute in seen:
            continue
        seen.add(absolute)
        found.append(FoundFeed(url=absolute, title=(link.get("title") or "").strip(), kind=kind))
    return found
