"""Make HTML and links from elsewhere safe to show: an allow-list sanitiser (nh3) and
one rule for links.

Everything not on the list goes: scripts, styles, event handlers, forms,
frames, and every link that is not http or https (``javascript:``, ``data:``,
``mailto:``...). Relative links are resolved against the address the HTML came
from, and every link gets ``rel="nofollow noopener"`` so the commons passes on
no ranking and no window handle. Images become links to them, and tracking
pixels go (see :func:`_images_as_links` for why).

:func:`web_link` is the rule for a single link from elsewhere (a feed's item
link, a hub's website, an OPML file's site link), applied before it is stored
and, as the ``web_link`` template filter, again where it becomes an ``href``.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

# What a browser ignores around an address (C0 controls and space) and inside it (tabs
# and line breaks), by the WHATWG URL standard: to a browser " java\tscript:x" is a
# script link, so they go before the scheme is read.
_AROUND = "".join(chr(code) for code in range(0x21))
_INSIDE = str.maketrans("", "", "\t\n\r")
# An absolute http(s) link of plain ASCII, with a host, a port too short to be out of
# range, no ";" in its path (urljoin drops an empty one) and no empty "?" or "#": the
# links most feeds hold, which urljoin and urlsplit give back unchanged against any base
# they can read. web_link returns them as they are, in a third of the time (and keeps
# them against a base urljoin cannot read, which they do not need).
_PLAIN_PART = r"A-Za-z0-9\-._~%!$&'()*+,=:@/"
_PLAIN = re.compile(
    rf"https?://[A-Za-z0-9.-]+(?::[0-9]{{1,4}})?(?:/[{_PLAIN_PART}]*)?"
    rf"(?:\?[{_PLAIN_PART};?]+)?(?:#[{_PLAIN_PART};?]+)?"
)


def web_link(url: str | None, *, base: str = "") -> str:
    """``url``, made absolute against ``base`` if one is given, when it is an http or
    https address with a host; "" for anything else.

    Anything else is a script or data link (in any case, with any padding), another
    scheme, or a link too broken to read (``urljoin`` raises ``ValueError`` on
    ``http://example.c[o.test/``). Never raises.
    """
    if not url:
        return ""
    url = url.strip(_AROUND).translate(_INSIDE)
    if _PLAIN.fullmatch(url):
        return url
    try:
        if base:
            url = urljoin(base, url)
        if not url[:8].lower().startswith(("http://", "https://")):
            return ""
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return ""
    return url if parts.hostname else ""


TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
# No ``cite`` on quotes: nh3 checks the scheme of href and src only, and no browser
# shows a cite, so it would be a link left unchecked for no reader's good.
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
SCHEMES = {"http", "https"}
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "svg", "math"}


# The attributes above that hold a link, where the value is not an absolute link the
# schemes allow: nh3 left it because it is relative (or it is only text that looks so).
# nh3 writes attribute names in lower case, each after one space: starting with that
# space, the pattern is found by its first characters, four times as fast as one
# starting with "\s" and read without regard to case.
_MAYBE_RELATIVE = re.compile(r' (?:href|src)="(?!(?i:https?):)')


def _options() -> dict[str, Any]:
    return {
        "tags": TAGS,
        "clean_content_tags": DROP_WITH_CONTENT,
        "attributes": ATTRIBUTES,
        "url_schemes": SCHEMES,
        "link_rel": "nofollow noopener",
        "strip_comments": True,
    }


@cache
def _cleaner(relative: str) -> nh3.Cleaner:
    # Built once: nh3.clean converts its allow-lists on every call, which cost more than
    # the cleaning of a typical post (43 µs against 17 µs a post in bench/harvest.py).
    return nh3.Cleaner(**_options(), url_relative=relative)  # type: ignore[arg-type]


def clean_html(fragment: str, *, base_url: str = "") -> str:
    """``fragment`` with only safe tags, attributes and http(s) links, relative links made
    absolute against ``base_url`` (or dropped, where it is not an http(s) address), and
    each image a link to it."""
    if not fragment:
        return ""
    if not base_url.startswith(("http://", "https://")):
        cleaned = _cleaner("deny").clean(fragment)
        return (_images_as_links(cleaned) if "<img" in cleaned else cleaned).strip()
    cleaned = _cleaner("pass_through").clean(fragment)
    if _MAYBE_RELATIVE.search(cleaned):
        # Most posts link only absolutely; one that does not is cleaned again with its own
        # base, for nh3 to resolve the links (its base is fixed when a cleaner is built).
        try:
            cleaned = nh3.clean(
                fragment, **_options(), url_relative=("rewrite_with_base", base_url)
            )
        except ValueError:
            # nh3 refuses a base it cannot read ("http://exa mple/"): as without a base,
            # the relative links go.
            cleaned = _cleaner("deny").clean(fragment)
    return (_images_as_links(cleaned) if "<img" in cleaned else cleaned).strip()


# nh3 writes HTML one way (html5ever's serialiser): every "<" outside a tag escaped,
# tag and attribute names in lower case, each attribute as ' name="value"' with any '"'
# in the value escaped. So every "<" begins a tag, which runs to the first ">" outside
# quotes; and images and links are found by reading their tags alone, in under half the
# time it took to read the fragment into a tree and write it out again (10 µs against
# 23 µs a post in bench/harvest.py).
_TAG_REST = r'[^"<>]*+(?:"[^"]*+"[^"<>]*+)*+>'
# From where the last one ended to the next image, link or link's end: anything else is
# passed over whole, text by text and tag by tag (possessively: never tried twice).
_NEXT_IMAGE_OR_LINK = re.compile(
    rf"(?:[^<]++|<(?!(?:img|a|/a)[ >]){_TAG_REST})*+(<(img|a|/a)(?=[ >]){_TAG_REST})"
)
_ATTRIBUTE = re.compile(r' ([a-z-]+)="([^"]*)"')


def _images_as_links(cleaned: str) -> str:
    """``cleaned`` (nh3's output) with each image a link to it, labelled "Image: <alt
    text>" (or "Image from <host>"), and tracking pixels (no source, or 1 or 0 pixels
    wide or high) gone. An image inside a link becomes the label alone.

    Why: an image in a post loads from the hub's server, or a tracker's, as soon as a
    reader opens the page, telling a third party the reader's address and what they
    read; it costs readers on a slow connection its bytes whether they wanted it or not;
    and the site's Content-Security-Policy (``img-src 'self'``) blocks it anyway.
    A link keeps the image one press away and says what it shows.
    """
    parts: list[str] = []
    at = 0
    links = 0  # how many links the next tag is inside: a table cell can hold one in another
    while (found := _NEXT_IMAGE_OR_LINK.match(cleaned, at)) is not None:
        tag, name = found.group(1, 2)
        if name == "img":
            parts += [cleaned[at : found.start(1)], _image_as_link(tag, in_link=links > 0)]
        else:
            links = links + 1 if name == "a" else max(links - 1, 0)
            parts.append(cleaned[at : found.end()])
        at = found.end()
    parts.append(cleaned[at:])
    return "".join(parts)


def _image_as_link(tag: str, *, in_link: bool) -> str:
    """What an image's tag becomes: a link, its label alone, or nothing."""
    attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
    src = web_link(attributes.get("src"))
    if not src or _is_pixel(attributes):
        return ""
    alt = " ".join(attributes.get("alt", "").split())
    label = f"Image: {alt}" if alt else f"Image from {urlsplit(src).hostname}"
    label = html.escape(label, quote=False)
    if in_link:  # a link inside another is no link to a browser
        return label
    return f'<a href="{html.escape(src)}" rel="nofollow noopener">{label}</a>'


def _is_pixel(attributes: dict[str, str]) -> bool:
    for side in (attributes.get("width"), attributes.get("height")):
        try:
            if side is not None and float(side.strip().lower().removesuffix("px")) <= 1:
                return True
        except ValueError:
            continue
    return False
