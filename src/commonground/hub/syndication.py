"""Every list goes back out as a feed: Atom 1.0 and JSON Feed 1.1, paged (RFC 5005), with
conditional GET (an unchanged page answers 304 Not Modified)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from lxml import etree

from commonground.hub.models import Item
from commonground.lib.sanitise import web_link

ATOM = "http://www.w3.org/2005/Atom"
FORMATS = {
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _sources(item: Item) -> list[str]:
    return [c.source.title for c in item.carriage_list]


def _atom(
    request: HttpRequest,
    *,
    title: str,
    page_url: str,
    feed_path: str,
    items: Sequence[Item],
    number: int,
    has_next: bool,
    updated: datetime,
) -> bytes:
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
    etree.SubElement(feed, f"{{{ATOM}}}title").text = title
    etree.SubElement(feed, f"{{{ATOM}}}id").text = _absolute(request, feed_path)
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    generator = etree.SubElement(feed, f"{{{ATOM}}}generator")
    generator.text = "Common Ground"
    for rel, href in _page_links(request, feed_path, number, has_next):
        etree.SubElement(feed, f"{{{ATOM}}}link", rel=rel, href=href)
    etree.SubElement(
        feed,
        f"{{{ATOM}}}link",
        rel="alternate",
        type="text/html",
        href=_absolute(request, page_url),
    )
    for item in items:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        etree.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        etree.SubElement(entry, f"{{{ATOM}}}id").text = _absolute(request, item.get_absolute_url())
        etree.SubElement(
            entry,
            f"{{{ATOM}}}link",
            rel="alternate",
            href=_absolute(request, item.get_absolute_url()),
        )
        if link := web_link(item.link):
            etree.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=link)
        etree.SubElement(entry, f"{{{ATOM}}}published").text = item.published_at.isoformat()
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = item.changed_at.isoformat()
        author = etree.SubElement(entry, f"{{{ATOM}}}author")
        etree.SubElement(author, f"{{{ATOM}}}name").text = (
            item.author or ", ".join(_sources(item)) or "Unknown"
        )
        for theme in item.theme_list:
            etree.SubElement(entry, f"{{{ATOM}}}category", term=theme.slug, label=theme.name)
        content = etree.SubElement(entry, f"{{{ATOM}}}content", type="html")
        content.text = item.content
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def _page_links(
    request: HttpRequest, feed_path: str, number: int, has_next: bool
) -> list[tuple[str, str]]:
    joiner = "&" if "?" in feed_path else "?"

    def page(n: int) -> str:
        return _absolute(request, feed_path if n == 1 else f"{feed_path}{joiner}page={n}")

    links = [("self", page(number)), ("first", page(1))]
    if number > 1:
        links.append(("previous", page(number - 1)))
    if has_next:
        links.append(("next", page(number + 1)))
    return links


def _json(
    request: HttpRequest,
    *,
    title: str,
    page_url: str,
    feed_path: str,
    items: Sequence[Item],
    number: int,
    has_next: bool,
    updated: datetime,
) -> bytes:
    links = dict(_page_links(request, feed_path, number, has_next))
    document: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": _absolute(request, page_url),
        "feed_url": links["self"],
        "items": [
            {
                "id": _absolute(request, item.get_absolute_url()),
                "url": _absolute(request, item.get_absolute_url()),
                "external_url": web_link(item.link) or None,
                "title": item.title,
                "content_html": item.content,
                "date_published": item.published_at.isoformat(),
                "date_modified": item.changed_at.isoformat(),
                "authors": [{"name": item.author or ", ".join(_sources(item)) or "Unknown"}],
                "tags": [theme.name for theme in item.theme_list],
            }
            for item in items
        ],
    }
    if "next" in links:
        document["next_url"] = links["next"]
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def respond(
    request: HttpRequest,
    *,
    fmt: str,
    title: str,
    page_url: str,
    feed_path: str,
    items: Sequence[Item],
    number: int,
    has_next: bool,
) -> HttpResponse:
    """The feed for one page of a list, or 304 if the reader already has this version.

    Raises ``Http404`` for a format other than ``atom`` or ``json``."""
    if fmt not in FORMATS:
        raise Http404("No such feed format.")
    updated = max((i.changed_at for i in items), default=None) or timezone.now().replace(
        microsecond=0
    )
    fingerprint = hashlib.sha256(
        f"{fmt}|{title}|{number}|{has_next}|".encode()
        + b",".join(f"{i.pk}:{i.changed_at.timestamp()}".encode() for i in items)
    ).hexdigest()[:24]
    etag = f'"{fingerprint}"'
    last_modified = http_date(updated.timestamp())
    if request.headers.get("If-None-Match") == etag or (
        "If-None-Match" not in request.headers
        and (since := parse_http_date_safe(request.headers.get("If-Modified-Since", "")))
        and since >= int(updated.timestamp())
    ):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        not_modified["Last-Modified"] = last_modified
        return not_modified
    writer = _atom if fmt == "atom" else _json
    body = writer(
        request,
        title=title,
        page_url=page_url,
        feed_path=feed_path,
        items=items,
        number=number,
        has_next=has_next,
        updated=updated,
    )
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    response["Cache-Control"] = "public, max-age=300"
    return response
