"""Read a feed's bytes into plain data: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1.

Pure: no ORM, no network. XML is parsed with lxml with entity expansion,
DTD loading and network access off, so a billion-laughs body or an external
entity reads as text, never as a file or a request. Links are resolved
against ``xml:base`` and the feed's own address, and only http(s) links are
kept (``sanitise.web_link``): a script link or one too broken to join reads as
no link, and the entry stays. HTML is returned as found (the caller sanitises
it); titles are returned as plain text.

Whatever the body holds, :func:`parse` returns a feed or raises ``ParseError``.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from commonground.lib.sanitise import web_link

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
# RSS 0.91 and 2.0 as UserLand's tools wrote them for a while, in a namespace of their own.
USERLAND = "http://backend.userland.com/rss2"
HARVARD = "http://blogs.law.harvard.edu/tech/rss"
RSS_NAMESPACES = ("", RSS10, RSS090, USERLAND, HARVARD)
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"


class ParseError(Exception):
    """The body is not a feed Common Ground can read; ``str()`` says why in plain words."""


@dataclass
class Entry:
    key: str
    link: str
    title: str
    content_html: str = ""
    summary_html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    author: str = ""
    categories: list[str] = field(default_factory=list)
    base: str = ""


@dataclass
class Feed:
    format: str
    title: str = ""
    site_url: str = ""
    description: str = ""
    entries: list[Entry] = field(default_factory=list)
    # Set when the XML was broken and what could be read was read anyway.
    warning: str = ""


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
_RECOVERING_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    recover=True,
)
_TAGS = re.compile(r"<[^>]*>")
# The end of an inline element is no break between words: "<b>volunteers</b>." is
# "volunteers.", not "volunteers ." (issue 14). Matched by its fixed "</" start, so
# the text is scanned quickly.
_INLINE_ENDS = re.compile(r"</(?:a|abbr|b|cite|code|em|i|mark|q|s|small|span|strong|sub|sup|u)>")


def text_of_html(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, space collapsed."""
    # str.split() collapses the same whitespace as a regex would, several times faster.
    return " ".join(html.unescape(_TAGS.sub(" ", _INLINE_ENDS.sub("", fragment))).split())


def parse(body: bytes, *, url: str, content_type: str = "") -> Feed:
    """Parse ``body`` fetched from ``url``; raises :class:`ParseError`."""
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if "json" in content_type.lower() or start.startswith(b"{"):
        return _parse_json(body, url)
    return _parse_xml(body, url, content_type)


# -- dates --------------------------------------------------------------------------

_ISO_SPACE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d)")
# Zone names the email module does not know but feeds use.
_ZONES = {"BST": "+0100", "CET": "+0100", "CEST": "+0200", "IST": "+0100", "AEST": "+1000"}
_ZONE_NAME = re.compile(r"\b([A-Z]{3,4})$")


def parse_date(value: str | None) -> datetime | None:
    """RFC 822 and ISO 8601 dates as found in the wild, always timezone-aware (UTC if unsaid)."""
    if not value:
        return None
    value = value.strip()
    if not value:
        return None
    parsed: datetime | None = None
    if value[:4].isdigit() and "-" in value[:8]:
        iso = _ISO_SPACE.sub(r"\1T\2", value)
        if iso.endswith(("Z", "z")):
            iso = iso[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            parsed = None
    if parsed is None:
        named = _ZONE_NAME.search(value)
        if named and named.group(1) in _ZONES:
            value = value[: named.start()] + _ZONES[named.group(1)]
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+01:00" is before the first moment in UTC
        return None


# -- XML ------------------------------------------------------------------------------


def _local(element: etree._Element) -> tuple[str, str]:
    tag = element.tag
    return _split_tag(tag) if isinstance(tag, str) else ("", "")


# A feed names the same few tags thousands of times: each is split once per process.
@functools.lru_cache(maxsize=1_000)
def _split_tag(tag: str) -> tuple[str, str]:
    if tag[0] == "{":
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if not len(element):  # most elements hold only text (comments are removed on parsing)
        return (element.text or "").strip()
    return "".join(str(t) for t in element.itertext()).strip()


def _inner_xml(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _decode_fallback(body: bytes, content_type: str) -> bytes:
    """Re-encode a body whose bytes do not match its declared encoding as UTF-8."""
    charset = ""
    match = re.search(r"charset=([\w.:-]+)", content_type, re.I)
    if match:
        charset = match.group(1)
    for candidate in (charset, "utf-8", "cp1252", "latin-1"):
        if not candidate:
            continue
        try:
            text = body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"), count=1)
        return ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8")
    return body


def _parse_xml(body: bytes, url: str, content_type: str) -> Feed:
    warning = ""
    try:
        root = etree.fromstring(body, _PARSER, base_url=url)
    except etree.XMLSyntaxError as exc:
        root = None
        first_error = exc
        if (
            "encoding" in str(exc).lower()
            or "utf-8" in str(exc).lower()
            or "char" in str(exc).lower()
        ):
            try:
                root = etree.fromstring(_decode_fallback(body, content_type), _PARSER, base_url=url)
            except etree.XMLSyntaxError:
                root = None
        if root is None:
            try:
                root = etree.fromstring(body, _RECOVERING_PARSER, base_url=url)
            except etree.XMLSyntaxError:
                root = None
            if root is None:
                raise ParseError(f"this is not readable XML ({_xml_reason(first_error)})") from exc
            reason = _xml_reason(first_error)
            warning = f"the feed's XML is broken ({reason}); what could be read was kept"
    except ValueError as exc:
        raise ParseError(f"this is not readable XML ({exc})") from exc
    if root is None:
        raise ParseError("this is not readable XML (it is empty)")
    ns, name = _local(root)
    if name == "rss" or (ns == "" and name == "channel"):
        feed = _parse_rss(root, url)
    elif name == "RDF":
        feed = _parse_rdf(root, url)
    elif name == "feed" and ns in (ATOM10, ATOM03, ""):
        # Without its namespace (hand-written templates leave it out) it is still Atom.
        feed = _parse_atom(root, url, ns)
    else:
        stripped = body.lstrip()[:200].lower()
        if stripped.startswith((b"<!doctype html", b"<html")):
            raise ParseError("this is a web page, not a feed")
        raise ParseError(f"this XML is not a feed (its top element is <{name or '?'}>)")
    if warning and not feed.entries:
        raise ParseError(
            warning.split(";")[0].replace("the feed's XML is broken", "this is not readable XML")
        )
    feed.warning = warning
    return feed


def _xml_reason(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg if getattr(exc, "msg", None) else exc).split(",")[0].strip()
    line = exc.lineno if getattr(exc, "lineno", None) else None
    return f"{message} at line {line}" if line else message


XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _has_xml_base(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node.get(XML_BASE) is not None:
            return True
        node = node.getparent()
    return False


def _base(element: etree._Element, fallback: str) -> str:
    return element.base or fallback


def _rss_item(item: etree._Element, url: str) -> Entry | None:
    title = link = guid = description = encoded = author = ""
    pub = updated = None
    categories: list[str] = []
    guid_is_link = False
    for child in item:
        ns, name = _local(child)
        if ns in RSS_NAMESPACES:
            if name == "title":
                title = _text(child)
            elif name == "link":
                link = _text(child)
            elif name == "guid":
                guid = _text(child)
                guid_is_link = child.get("isPermaLink", "true").lower() != "false"
            elif name == "description":
                description = _text(child)
            elif name == "pubDate":
                pub = parse_date(_text(child))
            elif name == "author":
                author = _text(child)
            elif name == "category":
                value = _text(child)
                if value:
                    categories.append(value)
        elif ns == CONTENT and name == "encoded":
            encoded = _text(child)
        elif ns == DC:
            if name == "date":
                pub = pub or parse_date(_text(child))
            elif name == "creator":
                author = author or _text(child)
            elif name == "subject" and _text(child):
                categories.append(_text(child))
        elif ns in (ATOM10,) and name == "updated":
            updated = parse_date(_text(child))
    base = _base(item, url)
    link = web_link(link, base=base)
    if not link and guid_is_link and guid.lower().startswith(("http://", "https://", "/")):
        link = web_link(guid, base=base)
    if not _has_xml_base(item):
        # HTML in an RSS item was written for the item's own page.
        base = link or base
    if rdf_about := item.get(f"{{{RDF}}}about"):
        guid = guid or rdf_about
    key = guid or link or title
    if not key and not description:
        return None
    return Entry(
        key=key or description[:200],
        link=link,
        title=text_of_html(title),
        content_html=encoded,
        summary_html=description,
        published=pub,
        updated=updated,
        author=text_of_html(author),
        categories=categories,
        base=base,
    )


def _read_channel(channel: etree._Element, feed: Feed, url: str) -> None:
    """A channel's title, link and description, in any of the RSS namespaces."""
    for child in channel:
        ns, name = _local(child)
        if ns not in RSS_NAMESPACES:
            continue
        if name == "title":
            feed.title = text_of_html(_text(child))
        elif name == "link":
            feed.site_url = web_link(_text(child), base=_base(channel, url))
        elif name == "description":
            feed.description = text_of_html(_text(child))


def _is_rss(element: etree._Element, name: str) -> bool:
    ns, local = _local(element)
    return local == name and ns in RSS_NAMESPACES


def _parse_rss(root: etree._Element, url: str) -> Feed:
    channel = (
        root if _is_rss(root, "channel") else next((e for e in root if _is_rss(e, "channel")), None)
    )
    if channel is None:
        raise ParseError("this RSS document has no <channel>")
    version = root.get("version", "")
    feed = Feed(format=f"rss{version.replace('.', '')}" if version else "rss")
    _read_channel(channel, feed, url)
    items = [e for e in channel if _is_rss(e, "item")]
    # RSS 0.91 files sometimes put items beside the channel, not inside it.
    items.extend(e for e in root if _is_rss(e, "item"))
    feed.entries = [e for e in (_rss_item(i, url) for i in items) if e is not None]
    return feed


def _parse_rdf(root: etree._Element, url: str) -> Feed:
    items: list[etree._Element] = []
    feed = Feed(format="rss10")
    for child in root:
        ns, name = _local(child)
        if ns == RSS090:
            feed.format = "rss090"
        if name == "channel":
            _read_channel(child, feed, url)
        elif name == "item":
            items.append(child)
    feed.entries = [e for e in (_rss_item(i, url) for i in items) if e is not None]
    return feed


def _atom_text(element: etree._Element, ns: str) -> str:
    """An Atom text construct as HTML."""
    kind = (element.get("type") or "text").lower()
    mode = element.get("mode", "").lower()  # Atom 0.3
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml":
        div = element.find(f"{{{XHTML}}}div")
        return _inner_xml(div if div is not None else element)
    if kind in ("html", "text/html") or mode == "escaped":
        return _text(element)
    if mode == "base64":
        return ""
    return html.escape(_text(element), quote=False)


def _atom_link(element: etree._Element, base: str) -> tuple[str, str]:
    return (element.get("rel") or "alternate"), web_link(element.get("href"), base=base)


def _parse_atom(root: etree._Element, url: str, ns: str) -> Feed:
    old = ns == ATOM03 or (ns == "" and root.get("version") == "0.3")
    feed = Feed(format="atom03" if old else "atom10")
    for child in root:
        cns, name = _local(child)
        if cns != ns:
            continue
        if name == "title":
            feed.title = text_of_html(_atom_text(child, ns))
        elif name in ("subtitle", "tagline"):
            feed.description = text_of_html(_atom_text(child, ns))
        elif name == "link":
            rel, href = _atom_link(child, _base(child, url))
            if rel == "alternate" and (child.get("type") or "text/html").startswith("text/html"):
                feed.site_url = feed.site_url or href
        elif name == "entry":
            entry = _atom_entry(child, url, ns)
            if entry is not None:
                feed.entries.append(entry)
    return feed


def _atom_entry(element: etree._Element, url: str, ns: str) -> Entry | None:
    base = _base(element, url)
    entry = Entry(key="", link="", title="", base=base)
    for child in element:
        cns, name = _local(child)
        if cns != ns:
            continue
        if name == "id":
            entry.key = _text(child)
        elif name == "title":
            entry.title = text_of_html(_atom_text(child, ns))
        elif name == "link":
            rel, href = _atom_link(child, _base(child, base))
            if rel == "alternate" and not entry.link:
                entry.link = href
        elif name == "content":
            if child.get("src"):
                entry.link = entry.link or web_link(child.get("src"), base=_base(child, base))
            else:
                entry.content_html = _atom_text(child, ns)
                entry.base = _base(child, base)
        elif name == "summary":
            entry.summary_html = _atom_text(child, ns)
        elif name in ("published", "issued", "created"):
            entry.published = entry.published or parse_date(_text(child))
        elif name in ("updated", "modified"):
            entry.updated = parse_date(_text(child))
        elif name == "author":
            name_el = child.find(f"{{{ns}}}name")
            entry.author = entry.author or _text(name_el)
        elif name == "category":
            label = child.get("label") or child.get("term") or _text(child)
            if label:
                entry.categories.append(label.strip())
    entry.key = entry.key or entry.link
    if not entry.key:
        return None
    entry.published = entry.published or entry.updated
    return entry


# -- JSON Feed -------------------------------------------------------------------------


def _string(value: object) -> str:
    """A JSON value as text a database can store ("" for null, false, 0 and empties).

    JSON can escape what no UTF-8 text holds, half a surrogate pair ("\\ud800"), and what
    PostgreSQL text refuses, NUL ("\\u0000"); both would fail the source's harvest
    when stored, so they become U+FFFD and nothing.
    """
    if not value:
        return ""
    text = str(value).replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _parse_json(body: bytes, url: str) -> Feed:
    try:
        data = json.loads(body)
    except ValueError as exc:  # bad JSON, bad UTF-8, or a number of over 4,300 digits
        raise ParseError(f"this is not readable JSON ({exc})") from exc
    except RecursionError as exc:
        raise ParseError("this is not readable JSON (it is nested too deeply)") from exc
    if not isinstance(data, dict) or "jsonfeed.org/version/" not in _string(data.get("version")):
        raise ParseError("this JSON is not a JSON Feed (it has no jsonfeed.org version)")
    version = _string(data["version"]).rstrip("/").rsplit("/", 1)[-1]
    feed = Feed(
        format="json" + version.replace(".", ""),
        title=text_of_html(_string(data.get("title"))),
        site_url=web_link(_string(data.get("home_page_url")), base=url),
        description=text_of_html(_string(data.get("description"))),
    )
    # Relative item links (against the spec, but seen) resolve against the home page.
    base = feed.site_url or url
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError("this JSON Feed has no list of items")
    for item in items:
        if not isinstance(item, dict):
            continue
        link = web_link(_string(item.get("url")), base=base) or web_link(
            _string(item.get("external_url")), base=base
        )
        content = _string(item.get("content_html"))
        if not content and item.get("content_text"):
            text = _string(item["content_text"])
            content = html.escape(text, quote=False).replace("\n\n", "<p>")
        authors = item.get("authors") or [item.get("author")]
        author = ", ".join(
            _string(a.get("name"))
            for a in (authors if isinstance(authors, list) else [])
            if isinstance(a, dict) and a.get("name")
        )
        tags = item.get("tags")
        key = _string(item.get("id")) or link
        if not key:
            continue
        feed.entries.append(
            Entry(
                key=key,
                link=link,
                title=text_of_html(_string(item.get("title"))),
                content_html=content,
                summary_html=html.escape(_string(item.get("summary")), quote=False),
                published=parse_date(_string(item.get("date_published"))),
                updated=parse_date(_string(item.get("date_modified"))),
                author=text_of_html(author),
                categories=[_string(t) for t in tags if isinstance(t, str | int) and _string(t)]
                if isinstance(tags, list)
                else [],
                base=link or url,
            )
        )
    return feed
