"""The sanitiser: what it keeps, what it drops, and that its fast path (one cleaner built
once, relative links resolved only where there are any) gives what nh3 gives when told
the base of every fragment."""

from __future__ import annotations

import nh3
import pytest

from commonground.lib import sanitise
from commonground.lib.sanitise import clean_html

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
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize("base", [BASE, "", "ftp://hub.example/", "not a url"])
def test_gives_what_nh3_gives_with_the_base(fragment: str, base: str) -> None:
    relative: object = ("rewrite_with_base", base) if base.startswith("https://") else "deny"
    want = nh3.clean(fragment, **sanitise._options(), url_relative=relative).strip()  # type: ignore[arg-type]
    assert clean_html(fragment, base_url=base) == want


def test_relative_links_resolve_against_the_base() -> None:
    cleaned = clean_html('<a href="/about">About</a> <img src="p.jpg" alt="">', base_url=BASE)
    assert 'href="https://hub.example/about"' in cleaned
    assert 'src="https://hub.example/posts/42/p.jpg"' in cleaned


def test_without_a_base_relative_links_go() -> None:
    assert "href" not in clean_html('<a href="/about">About</a>', base_url="")


def test_scripts_handlers_and_bad_schemes_go() -> None:
    cleaned = clean_html(
        '<script>alert(1)</script><p onclick="x()">Hi <a href="javascript:x()">a</a></p>',
        base_url=BASE,
    )
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert cleaned.startswith("<p>Hi")


def test_links_get_nofollow_noopener() -> None:
    cleaned = clean_html('<a href="https://x.example/" rel="me">x</a>', base_url=BASE)
    assert 'rel="nofollow noopener"' in cleaned
