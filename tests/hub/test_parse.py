"""Each sample feed beside its expected reading (tests/hub/data/NAME.expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commonground.hub.parse import ParseError, parse, parse_date
from commonground.lib.sanitise import clean_html

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(
    p
    for p in DATA.iterdir()
    if not p.name.endswith(".expected.json") and p.suffix in {".xml", ".rdf", ".json"}
)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_reads_as_expected(sample: Path) -> None:
    expected = json.loads((DATA / f"{sample.stem}.expected.json").read_text())
    feed = parse(sample.read_bytes(), url=f"https://feeds.example/{sample.name}")
    assert feed.format == expected["format"]
    assert feed.title == expected["title"]
    assert feed.site_url == expected["site_url"]
    assert len(feed.entries) == len(expected["entries"])
    for entry, want in zip(feed.entries, expected["entries"], strict=True):
        assert entry.key == want["key"]
        assert entry.link == want["link"]
        assert entry.title == want["title"]
        published = entry.published.isoformat() if entry.published else None
        assert published == want["published"]
        assert entry.author == want.get("author", "")
        assert entry.categories == want.get("categories", [])
        body = entry.content_html or entry.summary_html
        assert clean_html(body, base_url=entry.base or entry.link) == want["clean"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not readable XML"),
        (b"\x00\x01garbage", "not readable XML"),
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "web page, not a feed"),
        (b"<?xml version='1.0'?><note>hi</note>", "not a feed"),
        (b'{"items": []}', "not a JSON Feed"),
        (b"{broken json", "not readable JSON"),
    ],
)
def test_what_is_not_a_feed_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse(body, url="https://feeds.example/x")


def test_entities_are_not_expanded() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        b"<rss version='2.0'><channel><title>&c;&ext;</title>"
        b"<item><title>t</title><link>https://x.example/</link></item></channel></rss>"
    )
    feed = parse(laughs, url="https://feeds.example/x")
    assert "aaaaaaaaaa" not in feed.title
    assert "root:" not in feed.title


def test_truncated_xml_keeps_what_it_can_and_says_so() -> None:
    body = (DATA / "rss20.xml").read_bytes()
    cut = body[: body.index(b"</item>") + len(b"</item>") + 20]
    feed = parse(cut, url="https://feeds.example/x")
    assert len(feed.entries) == 1
    assert "broken" in feed.warning


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Tue, 03 Mar 2026 09:30:00 +0000", "2026-03-03T09:30:00+00:00"),
        ("Tue, 03 Mar 2026 09:30:00 EST", "2026-03-03T14:30:00+00:00"),
        ("03 Mar 2026 09:30 BST", "2026-03-03T08:30:00+00:00"),
        ("2026-03-03T09:30:00Z", "2026-03-03T09:30:00+00:00"),
        ("2026-03-03 09:30:00", "2026-03-03T09:30:00+00:00"),
        ("2026-03-03", "2026-03-03T00:00:00+00:00"),
        ("2026-03-03T09:30:00.123+05:30", "2026-03-03T04:00:00.123000+00:00"),
        ("not a date", None),
        ("", None),
    ],
)
def test_dates_in_the_wild(raw: str, iso: str | None) -> None:
    parsed = parse_date(raw)
    assert (parsed.isoformat() if parsed else None) == iso
