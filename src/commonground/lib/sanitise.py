"""Make HTML and links from elsewhere safe to show: an allow-list sanitiser (nh3) and
one rule for links.

Everything not on the list goes: scripts, styles, event handlers, forms,
frames, and every link that is not http or https (``javascript:``, ``data:``,
``mailto:``...). Relative links are resolved against the address the HTML came
from, and every link gets ``rel="nofollow noopener"`` so the commons passes on
no ranking and no window handle.

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

# What a browser ignores around an address (C0 controls and space) and inside it (tabs
# and line breaks), by the WHATWG URL standard: to a browser " java\tscript:x" is a
# script link, so they go before the scheme is read.
_AROUND = "".join(chr(code) for code in range(0x21))
_INSIDE = str.maketrans("", "", "\t\n\r")


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
_MAYBE_RELATIVE = re.compile(r'\s(?:href|src)="(?!https?:)', re.IGNORECASE)


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
    absolute against ``base_url`` (or dropped, where it is not an http(s) address)."""
    if not fragment:
        return ""
    if not base_url.startswith(("http://", "https://")):
        return _cleaner("deny").clean(fragment).strip()
    cleaned = _cleaner("pass_through").clean(fragment)
    if _MAYBE_RELATIVE.search(cleaned):
        # Most posts link only absolutely; one that does not is cleaned again with its own
        # base, for nh3 to resolve the links (its base is fixed when a cleaner is built).
        cleaned = nh3.clean(fragment, **_options(), url_relative=("rewrite_with_base", base_url))
    return cleaned.strip()
