"""Make HTML from elsewhere safe to show: an allow-list sanitiser (nh3) and nothing clever.

Everything not on the list goes: scripts, styles, event handlers, forms,
frames, ``javascript:`` and ``data:`` links. Relative links are resolved
against the address the HTML came from, and every link gets
``rel="nofollow noopener"`` so the commons passes on no ranking and no
window handle.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import nh3

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
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto"}
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "svg", "math"}


# The attributes above that hold a link, where the value is not an absolute link the
# schemes allow: nh3 left it because it is relative (or it is only text that looks so).
_MAYBE_RELATIVE = re.compile(r'\s(?:href|src|cite)="(?!(?:https?|mailto):)', re.IGNORECASE)


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
    """``fragment`` with only safe tags, attributes and links, relative links made absolute
    against ``base_url`` (or dropped, where it is not an http(s) address)."""
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
