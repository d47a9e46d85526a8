"""Make HTML from elsewhere safe to show: an allow-list sanitiser (nh3) and nothing clever.

Everything not on the list goes: scripts, styles, event handlers, forms,
frames, ``javascript:`` and ``data:`` links. Relative links are resolved
against the address the HTML came from, and every link gets
``rel="nofollow noopener"`` so the commons passes on no ranking and no
window handle.
"""

from __future__ import annotations

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


def clean_html(fragment: str, *, base_url: str = "") -> str:
    """``fragment`` with only safe tags, attributes and links, relative links made absolute."""
    if not fragment:
        return ""
    relative: object = (
        ("rewrite_with_base", base_url) if base_url.startswith(("http://", "https://")) else "deny"
    )
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener",
        url_relative=relative,  # type: ignore[arg-type]
        strip_comments=True,
    ).strip()
