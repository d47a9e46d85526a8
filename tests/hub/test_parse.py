"""Each sample feed beside its expected reading (tests/hub/data/NAME.expected.json), and a
little fuzzing of them."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commonground.hub import prepare
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


# -- a little fuzzing: whatever the body, a feed or a ParseError -----------------------

NASTY = [
    "http://example.c[o.test/",
    "http://[::1",
    "http://exa mple/",
    "http://x:99999999/",
    " JaVaScRiPt:alert(1)",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-05:00",
    "Sat, 00 Jan 0000 00:00:00 GMT",
    "\ud800",
    "\x00",
    "",
]
JSON_VALUES: list[object] = [None, 0, 1.5, True, [], {}, [1, None], {"name": 3}, 10**30, *NASTY]
# Where the sample feeds keep links, dates and keys.
XML_PLACES = [b"<link>", b"<guid>", b"<pubDate>", b"<updated>", b"<published>", b"<id>"]
XML_PLACES += [b'href="', b'src="', b'xml:base="']
JSON_KEYS = ["url", "external_url", "home_page_url", "date_published", "date_modified"]
JSON_KEYS += ["authors", "author", "tags", "id", "title", "content_html", "content_text"]


def _mutated_xml(body: bytes, rng: random.Random) -> bytes:
    place = rng.choice(XML_PLACES)
    start = body.find(place)
    if start >= 0 and rng.random() < 0.7:
        start += len(place)
        end = body.find(b'"' if place.endswith(b'"') else b"<", start)
        nasty = rng.choice(NASTY).encode("utf-8", "surrogatepass")
        return body[:start] + nasty + body[end:]
    if rng.random() < 0.5 and len(body) > 1:
        return body[: rng.randrange(1, len(body))]
    flipped = bytearray(body)
    for _ in range(3):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    return bytes(flipped)


def _mutated_json(body: bytes, rng: random.Random) -> bytes:
    data = json.loads(body)
    for _ in range(3):
        target = rng.choice([data, *data["items"]])
        target[rng.choice(JSON_KEYS)] = rng.choice(JSON_VALUES)
    return json.dumps(data).encode()


def test_no_body_makes_the_parser_raise_anything_but_parse_error() -> None:
    """Parse and prepare a few thousand mutations of the samples: each must read, or be
    refused with a ParseError, which the harvest reports for the feed."""
    rng = random.Random(20260301)  # noqa: S311 - a fixed seed, to fail the same way again
    rules = prepare.Rules.compile([])
    now = datetime.now(UTC)
    for number in range(2000):
        sample = SAMPLES[number % len(SAMPLES)]
        body = sample.read_bytes()
        mutate = _mutated_json if sample.suffix == ".json" else _mutated_xml
        for _ in range(rng.randint(1, 3)):
            body = mutate(body, rng)
        try:
            _, prepared = prepare.read(
                body,
                url=f"https://feeds.example/{sample.name}",
                content_type="",
                source_id=1,
                now=now,
                rules=rules,
            )
        except ParseError:
            continue
        for entry in prepared:
            for text in (entry.title, entry.content, entry.author, entry.categories):
                text.encode("utf-8")  # storable: no half surrogate pairs
                assert "\x00" not in text
            assert entry.link == "" or entry.link.startswith(("http://", "https://"))
