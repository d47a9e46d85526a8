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

import re
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree

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


# The HTML that nh3 writes is read back with libxml2, which parses it as html5ever
# wrote it: nh3 leaves only plain elements (no raw text, foreign content or forms),
# with every attribute value quoted and escaped.
_HTML = etree.HTMLParser(no_network=True)


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
    # html > body > div: the parser adds the first two.
    container = etree.fromstring(f"<div>{cleaned}</div>", _HTML)[0][0]
    for image in list(container.iter("img")):
        src = web_link(image.get("src"))
        if not src or _is_pixel(image):
            _drop(image, keep="")
            continue
        alt = " ".join((image.get("alt") or "").split())
        label = f"Image: {alt}" if alt else f"Image from {urlsplit(src).hostname}"
        if next(image.iterancestors("a"), None) is not None:
            _drop(image, keep=label)  # a link inside another is no link to a browser
            continue
        # The image element becomes the link: cheaper than a new element, and its tail
        # (the text after it) stays where it was.
        image.tag = "a"
        image.attrib.clear()
        image.set("href", src)
        image.set("rel", "nofollow noopener")
        image.text = label
    return etree.tostring(container, method="html", encoding="unicode")[5:-6]


def _is_pixel(image: etree._Element) -> bool:
    for side in (image.get("width"), image.get("height")):
        try:
            if side is not None and float(side.strip().lower().removesuffix("px")) <= 1:
                return True
        except ValueError:
            continue
    return False


def _drop(element: etree._Element, *, keep: str) -> None:
    """Take ``element`` out, with ``keep`` and the text after it left in its place."""
    parent = element.getparent()
    assert parent is not None  # noqa: S101 - every image is inside the container
    text = keep + (element.tail or "")
    before = element.getprevious()
    if before is not None:
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)
