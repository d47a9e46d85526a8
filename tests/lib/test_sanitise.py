"""The sanitiser: what it keeps, what it drops, images turned into links, the one rule for
single links (web_link), and that its fast paths (one cleaner built once, relative links
resolved only where there are any; plain links taken as they are) give what nh3 gives
when told the base of every fragment, and what urllib gives when it reads every link."""

from __future__ import annotations

import random
from urllib.parse import urljoin, urlsplit

import nh3
import pytest

from commonground.lib import sanitise
from commonground.lib.sanitise import clean_html, web_link

BASE = "https://hub.example/posts/42/"

FRAGMENTS = [
    '<p>Read <a href="https://other.example/report">the report</a>.</p>',
    '<p><a href="/about">About us</a> and <img src="photo.jpg" alt="A room"></p>',
    '<p><a href="//cdn.example/x">scheme-relative</a></p>',
    '<p><a href="../older/">older</a> <a href="?page=2">next</a> <a href="#top">top</a></p>',
    '<blockquote cite="notes.html"><p>Quoted</p></blockquote>',
    '<p><a href="javascript:alert(1)">bad</a> <a href="JaVaScRiPt:alert(1)">bad</a></p>',
    '<p><a href="data:text/html,hi">data</a> <img src="data:image/png;base64,AAAA"></p>',
    '<p><a href="HTTPS://Upper.example/">upper</a> <a href="mailto:a@b.example">mail</a></p>',
    '<p><a href=" /padded ">padded</a> <a href="">empty</a></p>',
    '<script>alert("x")</script><p onclick="x()">Clicked</p><style>p{}</style>',
    '<p>Text that says href="/not-a-link" but is only text.</p>',
    "<code>&lt;a href=&quot;relative&quot;&gt;</code>",
    '<p><a href="https://ok.example/" rel="me" target="_blank">kept</a></p>',
    "<iframe src='https://x.example'></iframe><svg><a href='/x'>in svg</a></svg>",
    '<table><tr><td colspan="2"><a href="t.html">cell</a></td></tr></table>',
    '<p><A TITLE="x"\n  HREF="/upper">upper case</A><IMG\tSRC="pic.png" ALT="p"></p>',
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize("base", [BASE, "", "ftp://hub.example/", "not a url"])
def test_gives_what_nh3_gives_with_the_base(fragment: str, base: str) -> None:
    relative: object = ("rewrite_with_base", base) if base.startswith("https://") else "deny"
    want = nh3.clean(fragment, **sanitise._options(), url_relative=relative)  # type: ignore[arg-type]
    if "<img" in want:
        want = sanitise._images_as_links(want)
    assert clean_html(fragment, base_url=base) == want.strip()


def test_relative_links_resolve_against_the_base() -> None:
    cleaned = clean_html('<a href="/about">About</a> <img src="p.jpg" alt="">', base_url=BASE)
    assert 'href="https://hub.example/about"' in cleaned
    assert 'href="https://hub.example/posts/42/p.jpg"' in cleaned


@pytest.mark.parametrize("base", ["http://exa mple/", "http://[bad/", "http://x:99999999/"])
def test_a_base_nh3_cannot_read_drops_relative_links_and_does_not_raise(base: str) -> None:
    cleaned = clean_html(
        '<a href="/about">About</a> <a href="https://ok.example/">ok</a>', base_url=base
    )
    assert cleaned == (
        '<a rel="nofollow noopener">About</a> '
        '<a href="https://ok.example/" rel="nofollow noopener">ok</a>'
    )


def test_without_a_base_relative_links_go() -> None:
    assert "href" not in clean_html('<a href="/about">About</a>', base_url="")


def test_scripts_handlers_and_bad_schemes_go() -> None:
    cleaned = clean_html(
        '<script>alert(1)</script><p onclick="x()">Hi <a href="javascript:x()">a</a></p>',
        base_url=BASE,
    )
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert cleaned.startswith("<p>Hi")


def test_only_http_and_https_links_are_kept() -> None:
    cleaned = clean_html(
        '<a href="mailto:a@b.example">mail</a> <a href="java&#x09;script:x()">tab</a> '
        '<a href="&#x01;javascript:x()">control</a> <a href=" data:text/html,x">data</a> '
        '<a href="vbscript:x">vb</a> <blockquote cite="javascript:x()">q</blockquote>',
        base_url=BASE,
    )
    assert "href" not in cleaned and "cite" not in cleaned
    assert cleaned.count("<a ") == 5


def test_links_get_nofollow_noopener() -> None:
    cleaned = clean_html('<a href="https://x.example/" rel="me">x</a>', base_url=BASE)
    assert 'rel="nofollow noopener"' in cleaned


# -- images: a link to each, never loaded with the page ---------------------------------


@pytest.mark.parametrize(
    ("fragment", "cleaned"),
    [
        (
            '<p>See <img src="/room.jpg" alt=" The  reading\nroom "> here.</p>',
            '<p>See <a href="https://hub.example/room.jpg" rel="nofollow noopener">'
            "Image: The reading room</a> here.</p>",
        ),
        (
            '<img src="https://photos.example/a.jpg">',
            '<a href="https://photos.example/a.jpg" rel="nofollow noopener">'
            "Image from photos.example</a>",
        ),
        ('<p>a<img src="https://t.example/p.gif" width="1" height="1">b</p>', "<p>ab</p>"),
        ('<p>a<img src="https://t.example/p.gif" height="0px">b</p>', "<p>ab</p>"),
        ('<p>a<img alt="nothing to show">b</p>', "<p>ab</p>"),
        ('<p>a<img src="data:image/png;base64,AAAA" alt="inline">b</p>', "<p>ab</p>"),
        ('<p>a<img src="javascript:x()" alt="script">b</p>', "<p>ab</p>"),
        (
            '<picture><source srcset="https://p.example/b.webp">'
            '<img src="https://p.example/b.jpg" srcset="https://p.example/c.jpg 2x" alt="Map">'
            "</picture>",
            '<a href="https://p.example/b.jpg" rel="nofollow noopener">Image: Map</a>',
        ),
        (
            '<a href="https://hub.example/gallery">See <img src="https://p.example/t.jpg" '
            'alt="the gallery"></a>',
            '<a href="https://hub.example/gallery" rel="nofollow noopener">'
            "See Image: the gallery</a>",
        ),
        (
            '<p><img src="https://p.example/x.jpg" alt="&lt;b&gt;bold&lt;/b&gt; &amp; more"></p>',
            '<p><a href="https://p.example/x.jpg" rel="nofollow noopener">'
            "Image: &lt;b&gt;bold&lt;/b&gt; &amp; more</a></p>",
        ),
        (
            '<p>x</p><IMG SRC="https://p.example/a.jpg" WIDTH="2" ALT="small">after',
            '<p>x</p><a href="https://p.example/a.jpg" rel="nofollow noopener">Image: small</a>'
            "after",
        ),
        # Only tags are read as tags: not an attribute's value, nor text that was a tag.
        (
            '<abbr title="<img src=https://t.example/p.gif>">x</abbr>'
            '<xmp><img src="https://t.example/q.gif"></xmp><img src="https://p.example/a.jpg">',
            '<abbr title="&lt;img src=https://t.example/p.gif&gt;">x</abbr>'
            '&lt;img src="https://t.example/q.gif"&gt;'
            '<a href="https://p.example/a.jpg" rel="nofollow noopener">Image from p.example</a>',
        ),
        (
            '<a href="https://l.example/">A<table><tr><td><a href="https://m.example/">B</a>'
            '</td></tr></table><img src="https://i.example/p.png" alt="z">C</a>',
            '<a href="https://l.example/" rel="nofollow noopener">A<table><tbody><tr><td>'
            '<a href="https://m.example/" rel="nofollow noopener">B</a></td></tr></tbody>'
            "</table>Image: zC</a>",
        ),
        (
            '<a href="/g"><span><b><img src="y.png" alt="in a link"></b></span></a> '
            '<img src="https://p.example/?a=1&amp;b=&quot;2" alt="&quot;q&quot;">',
            '<a href="https://hub.example/g" rel="nofollow noopener"><span><b>Image: in a link'
            '</b></span></a> <a href="https://p.example/?a=1&amp;b=&quot;2" '
            'rel="nofollow noopener">Image: "q"</a>',
        ),
    ],
)
def test_images_become_links_and_tracking_pixels_go(fragment: str, cleaned: str) -> None:
    assert clean_html(fragment, base_url="https://hub.example/posts/42/") == cleaned


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize("base", [BASE, ""])
def test_nothing_loads_from_another_site(fragment: str, base: str) -> None:
    cleaned = clean_html(fragment, base_url=base)
    assert "<img" not in cleaned and "src=" not in cleaned and "srcset" not in cleaned


# -- web_link: the rule for one link from elsewhere ------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " \n\tjavascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "mailto:someone@example.org",
        "ftp://files.example/",
        "http://example.c[o.test/",
        "http://host.example:port/",
        "http:///no-host",
        "/relative/without/a/base",
        "",
    ],
)
def test_web_link_refuses_all_but_http_and_https(link: str) -> None:
    assert web_link(link) == ""
    assert web_link(link, base=BASE) in ("", "https://hub.example/relative/without/a/base")


@pytest.mark.parametrize(
    ("link", "base", "kept"),
    [
        ("https://hub.example/a?b=1", "", "https://hub.example/a?b=1"),
        ("  HTTP://Hub.example/a  ", "", "HTTP://Hub.example/a"),
        ("/about", BASE, "https://hub.example/about"),
        ("//cdn.example/x", BASE, "https://cdn.example/x"),
        ("next", "javascript:alert(1)//", ""),
        ("next", "not a url", ""),
    ],
)
def test_web_link_keeps_http_and_https(link: str, base: str, kept: str) -> None:
    assert web_link(link, base=base) == kept


def _read_in_full(url: str, base: str) -> str:
    """web_link without its shortcut for plain links: joined and read with urllib."""
    url = url.strip(sanitise._AROUND).translate(sanitise._INSIDE)
    try:
        url = urljoin(base, url) if base else url
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return ""
    return url if url[:8].lower().startswith(("http://", "https://")) and parts.hostname else ""


def test_web_link_shortcut_gives_what_reading_in_full_gives() -> None:
    # Random strings near the shortcut's edges (";" before "?", an empty "?" or "#",
    # brackets, ports, case, non-ASCII): wherever the shortcut takes a link, reading it
    # in full against any base gives the same link back.
    rng = random.Random(18)  # noqa: S311 - test data, not secrets
    characters = "a9.-%;=&/?#:@[] é~+!"
    starts = ["http://", "https://", "HTTP://", "http:/", "https:///", "http://a:", "http://a/"]
    bases = ["", BASE, "http://x.example/a/b?q=1", "https://h.example"]
    taken = 0
    for _ in range(100_000):
        link = rng.choice(starts) + "".join(rng.choices(characters, k=rng.randint(0, 10)))
        if sanitise._PLAIN.fullmatch(link):
            taken += 1
            for base in bases:
                assert web_link(link, base=base) == _read_in_full(link, base) == link, (link, base)
        else:
            for base in bases:
                assert web_link(link, base=base) == _read_in_full(link, base), (link, base)
    assert taken > 200  # the shortcut was tried, not only the full reading
