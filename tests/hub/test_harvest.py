"""Harvesting real feeds from a local server: every format, every fault, in one run."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from commonground.hub import services
from commonground.hub.models import Carriage, Item, Source, Waiting
from tests.hub.feedserver import FeedServer, Route
from tests.hub.fixtures import watch_helpers

DATA = Path(__file__).parent / "data"
GOOD = [
    "rss20.xml",
    "rss091.xml",
    "rss10.rdf",
    "rss090.rdf",
    "atom10.xml",
    "atom03.xml",
    "jsonfeed10.json",
    "jsonfeed11.json",
    "wrong-encoding.xml",
    # Old namespaces: UserLand's for RSS, none at all for Atom.
    "rss091-userland.xml",
    "rss20-harvard.xml",
    "atom-without-namespace.xml",
    # Each readable although parts of it are not: a link, a date or a character is dropped.
    "awkward-rss20.xml",
    "awkward-jsonfeed11.json",
]
HOSTILE = (
    b"<?xml version='1.0'?><rss version='2.0'><channel>"
    b"<title>Bad &lt;script&gt;alert(1)&lt;/script&gt;"
    b"</title><item><title>&lt;script&gt;alert('t')&lt;/script&gt;Click</title>"
    b"<link>https://hostile.example/a</link><description>&lt;p onclick='x()'&gt;Hi&lt;/p&gt;"
    b"&lt;a href='javascript:alert(1)'&gt;js&lt;/a&gt;&lt;script&gt;steal()&lt;/script&gt;"
    b"&lt;iframe src='https://evil.example'&gt;&lt;/iframe&gt;</description></item></channel></rss>"
)


def _follow(server: FeedServer, path: str) -> Source:
    return services.source_add(feed_url=server.url(path), by=None, check_now=False)


def _fault_set(feeds: FeedServer) -> dict[str, Source]:
    for name in GOOD:
        kind = "application/feed+json" if name.endswith(".json") else "application/xml"
        feeds.routes[f"/good/{name}"] = Route(body=(DATA / name).read_bytes(), content_type=kind)
    rss = (DATA / "rss20.xml").read_bytes()
    feeds.routes |= {
        "/gzipped": Route(body=(DATA / "atom10.xml").read_bytes(), gzip=True),
        "/error": Route(status=500, body=b"oops"),
        "/busy": Route(status=503, body=b"busy", headers={"Retry-After": "7200"}),
        "/slow": Route(body=rss, delay=4),
        "/drip": Route(body=rss, drip=0.05),
        "/truncated": Route(body=rss[: rss.index(b"</item>") + 30]),
        "/cut-off": Route(body=rss[:200], declared_length=len(rss)),
        "/garbage": Route(body=b"\x89PNG\r\n\x1a\n not a feed at all"),
        "/bomb": Route(body=b"\0" * (30 * 1024 * 1024), gzip=True),
        "/huge": Route(body=b"<rss>" + b" " * (3 * 1024 * 1024)),
        "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
        "/loop-b": Route(status=302, headers={"Location": "/loop-a"}),
        "/moved": Route(status=301, headers={"Location": "{base}/good/moved.xml"}),
        "/good/moved.xml": Route(body=(DATA / "rss10.rdf").read_bytes()),
        "/gone": Route(status=410),
        "/hostile": Route(body=HOSTILE),
        "/to-loopback": Route(
            status=302, headers={"Location": f"http://127.0.0.2:{feeds.port}/good/rss20.xml"}
        ),
    }
    not_followed = {"/loop-b", "/good/moved.xml"}
    sources = {path: _follow(feeds, path) for path in feeds.routes if path not in not_followed}
    sources["/metadata"] = services.source_add(
        feed_url="http://169.254.169.254/latest/meta-data", by=None, check_now=False
    )
    return sources


@pytest.mark.django_db
def test_fault_set_in_one_run(feeds: FeedServer) -> None:
    sources = _fault_set(feeds)
    with override_settings(HUB_MAX_BYTES=1024 * 1024):
        summary = services.harvest_due()
    assert summary.checked == len(sources)

    def state(path: str) -> Source:
        return Source.objects.get(pk=sources[path].pk)

    for name in GOOD:
        source = state(f"/good/{name}")
        assert source.last_outcome == Source.Outcome.OK, (name, source.last_message)
        assert source.items.count() >= 1
    assert state("/gzipped").items.count() == 2

    def failed(path: str, words: str) -> Source:
        source = state(path)
        assert source.last_outcome == Source.Outcome.FAILED, (path, source.last_message)
        assert words in source.last_message, (path, source.last_message)
        assert source.failures == 1
        assert source.items.count() == 0
        return source

    failed("/error", "the site answered 500 Internal Server Error; trying again in")
    busy = failed("/busy", "the site answered 503 Service Unavailable; trying again in 2 hours")
    assert busy.next_check_at > timezone.now() + timedelta(minutes=115)
    failed("/slow", "did not answer in time")
    failed("/drip", "took longer than")
    failed("/cut-off", "closed before the whole body arrived")
    failed("/garbage", "the feed could not be read")
    failed("/bomb", "larger than the 1 MB limit")
    failed("/huge", "larger than the 1 MB limit")
    failed("/loop-a", "loop")
    failed("/to-loopback", "127.0.0.2, a private or local address")
    failed("/metadata", "169.254.169.254, a private or local address")
    assert feeds.hits.get("/good/rss20.xml", 0) == 1  # the loopback redirect was never followed

    truncated = state("/truncated")
    assert truncated.last_outcome == Source.Outcome.PROBLEM
    assert "broken" in truncated.last_message
    assert truncated.items.count() == 1

    moved = state("/moved")
    assert moved.feed_url == feeds.url("/good/moved.xml")
    assert state("/gone").state == Source.State.RETIRED
    assert "410 Gone" in state("/gone").last_message

    hostile = Item.objects.get(link="https://hostile.example/a")
    assert "<script" not in hostile.content and "javascript:" not in hostile.content
    assert "onclick" not in hostile.content and "iframe" not in hostile.content
    assert hostile.title == "alert('t') Click"

    # Every check is in the source's history.
    assert busy.checks.count() == 1

    # A second run: good feeds answer 304, nothing is stored twice.
    items, carriages = Item.objects.count(), Carriage.objects.count()
    again = services.harvest_due(every=True)
    assert again.new_items == 0 and again.updated_items == 0
    assert state("/good/atom10.xml").last_outcome == Source.Outcome.UNCHANGED
    assert (Item.objects.count(), Carriage.objects.count()) == (items, carriages)
    assert state("/error").failures == 2
    assert "failed 2 times in a row" in state("/error").last_message


def test_hosts_take_turns_so_one_busy_host_does_not_hold_up_the_threads() -> None:
    from commonground.hub.harvest import _by_turns

    urls = ["https://a.example/1", "https://a.example/2", "https://A.example/3"]
    urls += ["https://b.example/1", "https://b.example/2", "http://c.example:8080/1"]
    order = [s.feed_url for s in _by_turns([Source(feed_url=u) for u in urls])]
    assert order == [
        "https://a.example/1",
        "https://b.example/1",
        "http://c.example:8080/1",
        "https://a.example/2",
        "https://b.example/2",
        "https://A.example/3",
    ]


def _killing_parses(
    monkeypatch: pytest.MonkeyPatch, kills: Callable[[bytes, int], bool]
) -> list[tuple[Any, tuple[Any, ...]]]:
    """Parsing processes that die when ``kills(body, nth)`` says so (the nth piece of work
    given to them, from 1); returns the work given, as watch_helpers() does."""
    from commonground.lib import processes

    monkeypatch.setattr(processes, "cores", lambda: 2)
    return watch_helpers(monkeypatch, lambda args, nth: kills(args[0], nth))


def _many_feeds(feeds: FeedServer, bodies: list[bytes]) -> None:
    for n, body in enumerate(bodies):
        feeds.routes[f"/many/{n}.xml"] = Route(body=body)
        services.source_add(feed_url=feeds.url(f"/many/{n}.xml"), by=None, check_now=False)


@pytest.mark.django_db
def test_a_big_harvest_parses_on_processes_and_stores_the_same(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch, helper_work: list[tuple[Any, Any]]
) -> None:
    from commonground.hub.harvest import PROCESSES_FROM
    from commonground.lib import processes

    monkeypatch.setattr(processes, "cores", lambda: 2)  # as on a newcomer's one core too

    _many_feeds(feeds, [(DATA / "rss20.xml").read_bytes()] * PROCESSES_FROM)
    with override_settings(HUB_PARSE_PROCESSES=1):
        summary = services.harvest_due()
    assert summary.checked == PROCESSES_FROM and summary.failed == 0
    # Every hub carried the same two posts: two items, each carried by every hub.
    assert Item.objects.count() == 2
    assert Carriage.objects.count() == 2 * PROCESSES_FROM
    assert len(helper_work) == PROCESSES_FROM  # every feed was parsed in the other process


@pytest.mark.django_db
def test_a_parsing_process_that_dies_costs_the_harvest_nothing(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from commonground.hub.harvest import PROCESSES_FROM

    given = _killing_parses(monkeypatch, lambda body, nth: nth == 3)
    _many_feeds(feeds, [(DATA / "rss20.xml").read_bytes()] * PROCESSES_FROM)
    with override_settings(HUB_PARSE_PROCESSES=1):
        summary = services.harvest_due()
    # The feeds in the pool when it broke were parsed again on new processes.
    assert summary.checked == PROCESSES_FROM and summary.failed == 0
    assert Carriage.objects.count() == 2 * PROCESSES_FROM
    assert len(given) > PROCESSES_FROM and "A parsing process stopped" in caplog.text


@pytest.mark.django_db
def test_a_feed_that_kills_its_parsing_process_is_reported_not_parsed_here(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.hub.harvest import PROCESSES_FROM

    body = (DATA / "rss20.xml").read_bytes()
    deadly = body.replace(b"<channel>", b"<channel><!-- deadly -->", 1)
    given = _killing_parses(monkeypatch, lambda body, nth: b"deadly" in body)
    _many_feeds(feeds, [deadly] + [body] * (PROCESSES_FROM - 1))
    # One fetch thread, so no other feed is in the pool when the deadly one breaks it.
    with override_settings(HUB_PARSE_PROCESSES=1, HUB_FETCH_THREADS=1):
        summary = services.harvest_due()
    assert summary.checked == PROCESSES_FROM and summary.failed == 1
    assert [args[0] for _, args in given].count(deadly) == 2  # a second pool, then given up
    failed = Source.objects.get(feed_url__endswith="/many/0.xml")
    assert failed.last_outcome == Source.Outcome.FAILED
    assert "the process reading it stopped twice" in failed.last_message
    assert Carriage.objects.count() == 2 * (PROCESSES_FROM - 1)


@pytest.mark.django_db
def test_without_returning_the_harvest_looks_new_items_up_and_stores_the_same(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite before 3.35 cannot return the ids of inserted rows; nor is an id returned
    # for a link another worker inserted a moment before. Either way a lookup finds it.
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    body = (DATA / "rss20.xml").read_bytes()
    for n in range(2):
        feeds.routes[f"/twice/{n}.xml"] = Route(body=body)
        _follow(feeds, f"/twice/{n}.xml")
    summary = services.harvest_due()
    assert summary.failed == 0 and summary.new_items == 2
    assert Item.objects.count() == 2
    assert Carriage.objects.count() == 4
    assert {c.item_id for c in Carriage.objects.all()} == set(
        Item.objects.values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_a_link_another_worker_stored_meanwhile_is_carried_not_doubled(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the harvest's lookup of a feed's links and its storing them, another
    worker stores one: on PostgreSQL the COPY clashes and the source is stored again
    with INSERT ... ON CONFLICT; elsewhere the INSERT skips it. Either way the item is
    stored once, carried by this hub, and the source's check succeeds."""
    from commonground.hub import harvest
    from commonground.lib import bulk

    body = (DATA / "rss20.xml").read_bytes()
    feeds.routes["/race.xml"] = Route(body=body)
    source = _follow(feeds, "/race.xml")
    looked_up = bulk.select_in

    def lookup_then_the_other_worker_stores(cursor, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = looked_up(cursor, query, *args, **kwargs)
        if query.startswith("SELECT link_key, id, content_hash FROM hub_item") and not found:
            keys = sorted(args[0])
            Item.objects.create(
                link_key=keys[0],
                link="https://other.example/stored-meanwhile",
                title="Stored by another worker",
                published_at=timezone.now(),
                content_hash="other",
            )
        return found

    monkeypatch.setattr(harvest.bulk, "select_in", lookup_then_the_other_worker_stores)
    summary = services.harvest_due()
    assert summary.failed == 0 and summary.new_items == 1
    assert Item.objects.count() == 2
    assert Carriage.objects.filter(source=source).count() == 2
    assert Item.objects.filter(title="Stored by another worker").exists()
    source.refresh_from_db()
    assert source.last_outcome == Source.Outcome.OK


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_harvest_command_relates_what_it_stored_before_it_reports(
    feeds: FeedServer, db: None
) -> None:
    for name in ("rss20.xml", "atom10.xml"):
        feeds.routes[f"/{name}"] = Route(body=(DATA / name).read_bytes())
        _follow(feeds, f"/{name}")
    out, bars = io.StringIO(), Terminal()
    call_command("hub", "harvest", "--all", stdout=out, stderr=bars)
    stored = Item.objects.count()
    assert stored and not Waiting.objects.exists()
    assert f"{stored} new items" in out.getvalue()
    assert f"; {stored} items related in " in out.getvalue()
    # On a terminal, a bar for the sources fetched and one for the items related.
    assert "2/2 sources" in bars.getvalue()
    assert f"{stored}/{stored} items related" in bars.getvalue()
    # Harvested by a worker instead, the items wait to be related, and are counted.
    Item.objects.all().delete()
    Source.objects.update(next_check_at=timezone.now(), etag="", last_modified="")
    services.harvest_ids(ids=Source.objects.values_list("pk", flat=True), due_only=False)
    out = io.StringIO()
    call_command("hub", "relate", "--waiting", stdout=out)
    assert out.getvalue() == f"{stored} items waiting to be related.\n"
