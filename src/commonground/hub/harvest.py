"""Harvest sources: fetch, parse and store, many at once, one bad source never stopping the rest.

The one entry point is :func:`harvest`. It takes sources that the caller has
already claimed (``services.sources_claim``), fetches them on a thread pool
with at most two requests at a time to one host (hosts taking turns), has
``prepare.read`` parse them (on processes, for big harvests), and stores
results as they arrive: those that arrive within half a second of each other
share a transaction, each source that writes items in its own savepoint, so a
slow or failing source delays and undoes nothing else. Items are upserted on
their unique link key and each hub's entry on (source, entry key), so a
harvest cut off part-way and run again stores every item exactly once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Future,
    ThreadPoolExecutor,
    wait,
)
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from commonground.hub import prepare, relate, search
from commonground.hub.models import Item, Source, SourceCheck, Theme
from commonground.hub.parse import Feed, ParseError
from commonground.hub.prepare import Prepared
from commonground.lib import bulk, processes, safehttp
from commonground.lib.sanitise import web_link
from commonground.lib.text import whole_number

log = logging.getLogger(__name__)

MIN_INTERVAL = 15 * 60
MAX_INTERVAL = 24 * 60 * 60
MAX_BACKOFF = 24 * 60 * 60
PER_HOST = 2
HISTORY_KEPT = 50
# Harvests of fewer sources parse on their fetch threads, starting processes costs more;
# and compute their search vectors after storing, not on a thread beside it.
PROCESSES_FROM = 20
# Results that arrive within this many seconds of each other share one transaction: a
# commit costs far more than a row, but a write lock should not be held for long.
BATCH_SECONDS = 0.5


@dataclass
class Summary:
    checked: int = 0
    unchanged: int = 0
    failed: int = 0
    new_items: int = 0
    updated_items: int = 0
    seconds: float = 0.0
    related: int | None = None  # items related after the harvest, if it related them
    relate_seconds: float = 0.0

    def line(self) -> str:
        line = (
            f"{self.checked} sources checked, {self.unchanged} unchanged, {self.failed} failed, "
            f"{self.new_items:,} new items, {self.updated_items:,} updated items, "
            f"{self.seconds:.1f} seconds"
        )
        if self.related is not None:
            line += f"; {self.related:,} items related in {self.relate_seconds:.1f} s"
        return line


@dataclass
class Fetched:
    source: Source
    started: float
    response: safehttp.Response | None = None
    error: str = ""
    feed: Feed | None = None
    prepared: list[Prepared] = field(default_factory=list)
    duration: float = 0.0


def theme_rules() -> prepare.Rules:
    """Every theme's keyword rules and category mappings, compiled once per harvest."""
    return prepare.Rules.compile(Theme.objects.values_list("pk", "keywords", "categories"))


# -- words for people -----------------------------------------------------------------


def in_words(seconds: float) -> str:
    """``7200`` -> ``"2 hours"``: how long until the next check, for the source's page."""
    seconds = int(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "a minute"


# -- fetching (runs on the pool's threads; no database access here) --------------------


class HostLimiter:
    """At most ``PER_HOST`` requests at a time to one host (name and port)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}

    def slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            return self._slots.setdefault(host, threading.Semaphore(PER_HOST))


def fetch(
    url: str, *, headers: dict[str, str] | None = None, total_timeout: int | None = None
) -> safehttp.Response:
    """Fetch ``url`` as the Hub does: its user agent, size cap, time limits and allowed networks."""
    seconds = total_timeout or settings.HUB_FETCH_TIMEOUT
    return safehttp.fetch(
        url,
        headers={"User-Agent": settings.HUB_USER_AGENT, **(headers or {})},
        limits=safehttp.Limits(
            max_bytes=settings.HUB_MAX_BYTES,
            connect_timeout=min(10, seconds),
            read_timeout=min(20, seconds),
            total_timeout=seconds,
        ),
        allowed_networks=safehttp.networks(tuple(settings.HUB_ALLOWED_PRIVATE_NETWORKS)),
    )


def _fetch(
    source: Source,
    limiter: HostLimiter,
    rules: prepare.Rules,
    now: datetime,
    parsers: _Processes,
) -> Fetched:
    result = Fetched(source=source, started=time.monotonic())
    headers = {
        "Accept": "application/atom+xml, application/rss+xml, application/feed+json, "
        "application/json;q=0.9, application/xml;q=0.8, */*;q=0.5",
    }
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        with limiter.slot(source.feed_url):
            result.response = fetch(source.feed_url, headers=headers)
        response = result.response
        if response.status == 200:
            body, response.body = response.body, b""  # the prepared entries are all we keep
            read = partial(
                prepare.read,
                url=response.url,
                content_type=response.header("content-type") or "",
                source_id=source.pk,
                now=now,
                rules=rules,
            )
            result.feed, result.prepared = parsers.run(read, body)
    except safehttp.FetchError as exc:
        result.error = str(exc)
    except ParseError as exc:
        result.error = f"the feed could not be read: {exc}"
    except Exception as exc:  # a bug must not stop the other sources
        log.exception("Harvesting source %s failed unexpectedly", source.pk)
        result.error = (
            f"something went wrong in Common Ground while reading it ({type(exc).__name__})"
        )
    result.duration = time.monotonic() - result.started
    return result


class _Processes:
    """Processes to parse and sanitise on, started when the first feed needs parsing.

    Parsing and sanitising are CPU work that threads share one core for. A
    warm harvest (every feed unchanged) never starts them; a daemonic process
    (a Celery worker's child) may not, so there, and for small harvests, the
    fetch threads parse for themselves.

    A parsing process that dies (killed, or out of memory on a hostile feed) breaks
    the pool and every parse then in it: those feeds are parsed again on a new pool.
    A feed whose parse meets a broken pool twice is reported as unreadable (the next
    harvest tries it again), and is not parsed in this process, which a feed that
    kills processes would take down. If no process can be started at all, the fetch
    threads parse for themselves.
    """

    def __init__(self, sources: int) -> None:
        self.count = processes.helper_count(settings.HUB_PARSE_PROCESSES)
        self.wanted = sources >= PROCESSES_FROM and self.count > 0
        self.pool: processes.Helpers | None = None
        self.lock = threading.Lock()

    def run(self, read: Callable[[bytes], tuple[Feed, list[Prepared]]], body: bytes) -> Any:
        for _attempt in range(2):
            pool = self._pool()
            if pool is None:
                return read(body)
            try:
                # The processes start with the first work given to them.
                parsed = pool.submit(read, body)
            except OSError:
                self._none_start()
                return read(body)
            except BrokenExecutor:
                self._lost(pool)
                continue
            try:
                return parsed.result()
            except BrokenExecutor:
                self._lost(pool)
        raise ParseError(
            "the process reading it stopped twice; the feed may be too big or too "
            "deeply nested to read"
        )

    def _pool(self) -> processes.Helpers | None:
        with self.lock:
            if self.wanted and self.pool is None:
                # The server they fork from outlives the harvest; with the parsers loaded
                # it would hold 40 MB, so it loads nothing (each parsing process does, once).
                self.pool = processes.start(self.count)
            return self.pool if self.wanted else None

    def _none_start(self) -> None:
        with self.lock:
            if self.wanted:
                log.warning("No parsing processes could be started", exc_info=True)
                self.wanted = False

    def _lost(self, pool: processes.Helpers) -> None:
        with self.lock:
            if self.pool is pool:  # the first of its parses to hear of it
                log.warning("A parsing process stopped; starting new ones")
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


# -- storing (main thread, a transaction per batch, a savepoint per source) -----------


def _seconds_header(value: str | None, now: datetime) -> int | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    seconds = whole_number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(int((when - now).total_seconds()), 0)


def _max_age(cache_control: str | None) -> int | None:
    if not cache_control:
        return None
    match = re.search(r"(?:^|,)\s*max-age\s*=\s*(\d+)", cache_control, re.I)
    return int(match.group(1)) if match else None


def _posting_interval(prepared: Sequence[Prepared], fallback: int) -> int:
    """Check about four times per typical gap between the hub's recent posts."""
    dates = sorted((p.published for p in prepared), reverse=True)[:20]
    if len(dates) < 3:
        return fallback
    gaps = sorted((a - b).total_seconds() for a, b in zip(dates, dates[1:], strict=False))
    typical = gaps[len(gaps) // 2]
    return int(min(max(typical / 4, MIN_INTERVAL), MAX_INTERVAL))


def _upsert_items(
    source: Source, prepared: list[Prepared], now: datetime, *, copy: bool = True
) -> tuple[int, int, int]:
    """Store a source's entries; returns (new items, changed items, entries new to this hub).

    Plain SQL, many rows per statement: for tens of thousands of entries the ORM's
    per-query and per-object work costs more than the database's. On PostgreSQL (with
    ``copy``) the new items and carriages go in with ``COPY``, which raises
    ``IntegrityError`` if another worker stored one of the links since they were
    looked up: the caller then stores the source again without ``copy``.
    """
    # The same link can appear twice in one feed; the first entry wins.
    by_key: dict[str, Prepared] = {}
    for p in prepared:
        by_key.setdefault(p.link_key, p)
    moment = connection.ops.adapt_datetimefield_value
    when = moment(now)
    # Each date made ready for the database once: items and carriages both store it.
    dates = {d: moment(d) for d in {p.published for p in prepared}}
    with connection.cursor() as cursor:
        # What this hub already carried: only a hub's own entries update an item, so two
        # hubs with different words for one link do not overwrite each other by turns.
        carried = {
            key
            for (key,) in bulk.select_in(
                cursor,
                "SELECT entry_key FROM hub_carriage WHERE source_id = %s AND entry_key",
                [p.entry_key for p in prepared],
                before=[source.pk],
            )
        }
        existing = {
            key: (pk, content_hash)
            for key, pk, content_hash in bulk.select_in(
                cursor, "SELECT link_key, id, content_hash FROM hub_item WHERE link_key", by_key
            )
        }
        new = [p for key, p in by_key.items() if key not in existing]
        # Another worker may insert the same link at the same moment; the unique key makes
        # the second insert a no-op, not a duplicate.
        ids = {key: pk for key, (pk, _) in existing.items()}
        rows = [
            (p.link_key, p.link, p.title, p.content, p.text, p.author)
            + (dates[p.published], when, when, p.content_hash)
            for p in new
        ]
        copy = copy and connection.vendor == "postgresql"
        if copy and rows:
            # Decoding a feed's texts sent as one JSON document cost PostgreSQL more than
            # storing them; COPY sends them as they are, with ids taken beforehand.
            ids_of_new = bulk.new_ids(cursor, "hub_item", len(rows))
            inserted = [(p.link_key, pk) for p, pk in zip(new, ids_of_new, strict=True)]
            bulk.copy_in(
                cursor,
                ITEM_COLUMNS_WITH_ID,
                [(pk, *row) for pk, row in zip(ids_of_new, rows, strict=True)],
            )
        else:
            inserted = bulk.insert_new(cursor, ITEM_COLUMNS, rows, returning="link_key, id")
        # New items are those inserted: a link another worker stored meanwhile is not.
        # (A database that cannot return inserted rows returns none: those looked up.)
        stored = (
            len(inserted)
            if copy or connection.features.can_return_rows_from_bulk_insert
            else len(new)
        )
        ids.update(inserted)
        if len(ids) < len(by_key):  # inserted by another worker meanwhile
            ids.update(
                bulk.select_in(
                    cursor,
                    "SELECT link_key, id FROM hub_item WHERE link_key",
                    [key for key in by_key if key not in ids],
                )
            )
        changed = [
            Item(
                pk=existing[key][0],
                title=p.title,
                content=p.content,
                text=p.text,
                author=p.author,
                changed_at=now,
                content_hash=p.content_hash,
                link=p.link,
            )
            for key, p in by_key.items()
            if key in existing and existing[key][1] != p.content_hash and p.entry_key in carried
        ]
        if changed:
            Item.objects.bulk_update(
                changed,
                ["title", "content", "text", "author", "changed_at", "content_hash", "link"],
            )
        # New items wait to be related; so do changed ones, and items a hub of perhaps
        # another sector now carries too (their related items depend on their sectors).
        bulk.insert_new(
            cursor,
            relate.WAITING_COLUMNS,
            [(pk,) for _, pk in inserted]
            + [(item.pk,) for item in changed]
            + [
                (existing[p.link_key][0],)
                for p in prepared
                if p.link_key in existing and p.entry_key not in carried
            ],
        )
        # A feed can list an entry twice: the first is the hub's carriage of it.
        first_of_entry: dict[str, Prepared] = {}
        for p in prepared:
            first_of_entry.setdefault(p.entry_key, p)
        (bulk.copy_in if copy else bulk.insert_new)(
            cursor,
            CARRIAGE_COLUMNS,
            [
                (ids[p.link_key], source.pk, p.entry_key, p.original_link, p.categories)
                + (dates[p.published], when)
                for p in first_of_entry.values()
                if p.link_key in ids and p.entry_key not in carried
            ],
        )
        bulk.insert_new(
            cursor,
            ITEM_THEME_COLUMNS,
            [
                (ids[p.link_key], theme_id, True)
                for p in by_key.values()
                for theme_id in p.theme_ids
                if p.link_key in ids
            ],
        )
    return stored, len(changed), len({p.entry_key for p in prepared} - carried)


# The tables the harvest writes in plain SQL, and the PostgreSQL type of each column.
ITEM_COLUMNS: bulk.Columns = (
    "hub_item",
    {
        "link_key": "text",
        "link": "text",
        "title": "text",
        "content": "text",
        "text": "text",
        "author": "text",
        "published_at": "timestamptz",
        "first_seen_at": "timestamptz",
        "changed_at": "timestamptz",
        "content_hash": "text",
    },
)
ITEM_COLUMNS_WITH_ID: bulk.Columns = (ITEM_COLUMNS[0], {"id": "bigint", **ITEM_COLUMNS[1]})
CARRIAGE_COLUMNS: bulk.Columns = (
    "hub_carriage",
    {
        "item_id": "bigint",
        "source_id": "bigint",
        "entry_key": "text",
        "original_link": "text",
        "categories": "text",
        "published_at": "timestamptz",
        "seen_at": "timestamptz",
    },
)
ITEM_THEME_COLUMNS: bulk.Columns = (
    "hub_itemtheme",
    {"item_id": "bigint", "theme_id": "bigint", "by_rule": "boolean"},
)


def _trim_history(source_ids: list[int]) -> None:
    """Keep the latest ``HISTORY_KEPT`` checks of each source: one statement per 500 sources."""
    for start in range(0, len(source_ids), 500):
        chunk = source_ids[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM hub_sourcecheck WHERE id IN (SELECT id FROM ("  # noqa: S608 - placeholders only
                "SELECT id, ROW_NUMBER() OVER (PARTITION BY source_id "
                "ORDER BY checked_at DESC, id DESC) AS place FROM hub_sourcecheck "
                f"WHERE source_id IN ({', '.join(['%s'] * len(chunk))})) ranked "
                "WHERE place > %s)",
                [*chunk, HISTORY_KEPT],
            )


Pending = list[tuple[Source, dict[str, object], SourceCheck]]


def _record(
    fetched: Fetched, now: datetime, pending: Pending, *, copy: bool = True
) -> tuple[str, int, int]:
    """Store one source's items, and add its new state and check to ``pending`` (written for a
    batch of sources at once by :func:`_write_sources`); returns (outcome, new, updated)."""
    source = fetched.source
    response = fetched.response
    outcome = Source.Outcome.FAILED
    message = fetched.error
    new = updated = 0
    status = response.status if response else None
    interval = source.check_interval
    wait: float | None = None
    changes: dict[str, object] = {}

    if response is not None and not fetched.error:
        if response.moved_to and response.moved_to != source.feed_url:
            if Source.objects.filter(feed_url=response.moved_to).exclude(pk=source.pk).exists():
                message = f"the feed moved to {response.moved_to}, which is already followed"
            else:
                changes["feed_url"] = response.moved_to
                changes["host"] = urlsplit(response.moved_to).hostname or ""
        if response.status == 304:
            outcome = Source.Outcome.UNCHANGED
            message = "no change since the last check"
        elif response.status == 200 and fetched.feed is not None:
            new, updated, added_here = _upsert_items(source, fetched.prepared, now, copy=copy)
            feed = fetched.feed
            outcome = Source.Outcome.OK if (added_here or updated) else Source.Outcome.UNCHANGED
            count = len(fetched.prepared)
            message = (
                f"read {count} entr{'y' if count == 1 else 'ies'}: {new} new, {updated} changed"
            )
            if added_here > new:
                message += f", {added_here - new} already in the commons from other hubs"
            if feed.warning:
                outcome = Source.Outcome.PROBLEM
                message = f"{feed.warning}; {message}"
            elif not fetched.prepared:
                message = "the feed has no entries at the moment"
            changes["etag"] = (response.header("etag") or "")[:500]
            changes["last_modified"] = (response.header("last-modified") or "")[:100]
            if not source.title or source.title == source.feed_url:
                changes["title"] = (feed.title or source.feed_url)[:300]
            site_url = web_link(feed.site_url)
            if site_url and not source.site_url:
                changes["site_url"] = site_url[:2000]
            interval = (
                _posting_interval(fetched.prepared, interval) if fetched.prepared else interval
            )
        elif response.status == 410:
            outcome = Source.Outcome.RETIRED
            message = (
                "the site says this feed is gone for good (410 Gone), so it is no longer checked"
            )
            changes["state"] = Source.State.RETIRED
        else:
            reason = response.reason or "Error"
            message = f"the site answered {response.status} {reason}"
            if response.status in (429, 503):
                wait = _seconds_header(response.header("retry-after"), now)

    if outcome in (Source.Outcome.OK, Source.Outcome.UNCHANGED, Source.Outcome.PROBLEM):
        changes["failures"] = 0
        changes["last_success_at"] = now
        wait = interval
        max_age = _max_age(response.header("cache-control") if response else None)
        if max_age:
            wait = max(wait, min(max_age, MAX_INTERVAL))
        changes["check_interval"] = interval
    elif outcome == Source.Outcome.FAILED:
        failures = source.failures + 1
        changes["failures"] = failures
        backoff = min(max(interval, MIN_INTERVAL) * 2 ** (failures - 1), MAX_BACKOFF)
        wait = min(max(wait or 0, backoff), 7 * MAX_BACKOFF)
        message = f"{message}; trying again in {in_words(wait)}"
        if failures > 1:
            message += f" (failed {failures} times in a row)"
    next_check = now + timedelta(seconds=wait or interval)
    changes.update(
        last_checked_at=now,
        last_outcome=outcome,
        last_message=message[:500],
        next_check_at=next_check,
        claimed_until=None,
        claim_token="",
        updated_at=now,
    )
    check = SourceCheck(
        source=source,
        checked_at=now,
        outcome=outcome,
        status_code=status,
        message=message[:500],
        new_items=new,
        updated_items=updated,
        duration_ms=int(fetched.duration * 1000),
    )
    if "feed_url" in changes:
        # A move can clash with another source's address: write it in this source's savepoint.
        _write_sources([(source, changes, check)])
    else:
        pending.append((source, changes, check))
    return outcome, new, updated


def _write_sources(pending: Pending) -> None:
    """Write sources' new states and their checks: one statement per shape of change.

    Only the claim holder may write; a worker whose claim ran out writes nothing.
    """
    if not pending:
        return
    SourceCheck.objects.bulk_create([check for _, _, check in pending])
    shapes: dict[tuple[str, ...], list[tuple[Source, dict[str, object]]]] = {}
    for source, changes, _ in pending:
        shapes.setdefault(tuple(sorted(changes)), []).append((source, changes))
    fields = {field.name: field for field in Source._meta.concrete_fields}
    with connection.cursor() as cursor:
        for shape, rows in shapes.items():
            columns = ", ".join(
                f"{connection.ops.quote_name(fields[name].column or name)} = %s" for name in shape
            )
            cursor.executemany(
                f"UPDATE hub_source SET {columns} WHERE id = %s AND claim_token = %s",  # noqa: S608 - column names from the model
                [
                    [fields[name].get_db_prep_save(changes[name], connection) for name in shape]
                    + [source.pk, source.claim_token]
                    for source, changes in rows
                ],
            )


def harvest(
    sources: Sequence[Source],
    *,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Fetch and store ``sources`` (already claimed); returns what happened, in figures.

    Threads fetch (and, for big harvests, hand the parsing to processes); this
    thread stores. Results that arrive within ``BATCH_SECONDS`` share one transaction,
    each source in its own savepoint, so a source that cannot be stored undoes only
    its own writes. At most two results per thread wait in memory at once.
    """
    started = time.monotonic()
    summary = Summary()
    if not sources:
        # Even with nothing due, what a harvest cut off left unindexed is indexed now.
        search.index_waiting()
        return summary
    rules = theme_rules()
    limiter = HostLimiter()
    now = timezone.now()
    workers = max(1, min(threads or settings.HUB_FETCH_THREADS, len(sources)))
    waiting = iter(_by_turns(sources))
    parsers = _Processes(len(sources))
    try:
        with (
            search.Indexer(on_thread=len(sources) >= PROCESSES_FROM) as indexer,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest") as pool,
        ):
            running: set[Future[Fetched]] = set()

            def top_up() -> None:
                while len(running) < workers * 2 and (source := next(waiting, None)) is not None:
                    running.add(pool.submit(_fetch, source, limiter, rules, now, parsers))

            top_up()
            while running:
                # Wait for results outside a transaction, then store those that keep arriving
                # for up to BATCH_SECONDS in one.
                done, running = wait(running, return_when=FIRST_COMPLETED)
                top_up()
                deadline = time.monotonic() + BATCH_SECONDS
                with transaction.atomic(), search.indexed_later():
                    # Each source's new state (etag, next check) commits with its items, so
                    # the sources of a batch lost in a crash are still due and fetched again.
                    bulk.commit_without_waiting()
                    # The items' search vectors are computed beside this thread, on
                    # PostgreSQL, once the batch commits (hub/search.py).
                    transaction.on_commit(indexer.more)
                    pending: Pending = []
                    while done:
                        for future in done:
                            _tally(summary, future.result(), pending)
                        if progress:
                            progress(summary.checked, len(sources))
                        left = deadline - time.monotonic()
                        if left <= 0 or not running:
                            break
                        done, running = wait(running, timeout=left, return_when=FIRST_COMPLETED)
                        top_up()
                    _write_sources(pending)
    finally:
        parsers.close()
    _trim_history([s.pk for s in sources])
    summary.seconds = time.monotonic() - started
    return summary


def _by_turns(sources: Sequence[Source]) -> list[Source]:
    """``sources`` with their hosts taking turns, so that the threads are not all queued for
    one host's two slots while other hosts wait (a site can host hundreds of feeds)."""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(urlsplit(source.feed_url).netloc.lower(), []).append(source)
    queues = list(by_host.values())
    turns: list[Source] = []
    for place in range(max(len(q) for q in queues)):
        turns.extend(q[place] for q in queues if place < len(q))
    return turns


def _tally(summary: Summary, fetched: Fetched, pending: Pending) -> None:
    # Only a source with entries or a new address writes on its own; the rest (unchanged,
    # failed) only add to ``pending``, and skip the cost of a savepoint.
    writes = bool(fetched.prepared or (fetched.response and fetched.response.moved_to))
    try:
        try:
            with transaction.atomic() if writes else nullcontext():
                outcome, new, updated = _record(fetched, timezone.now(), pending)
        except IntegrityError:
            # Another worker stored one of its links meanwhile: store it again, skipping
            # what is there (the first try was undone with its savepoint).
            with transaction.atomic():
                outcome, new, updated = _record(fetched, timezone.now(), pending, copy=False)
    except Exception:
        log.exception("Storing source %s failed", fetched.source.pk)
        outcome, new, updated = Source.Outcome.FAILED, 0, 0
    summary.checked += 1
    summary.new_items += new
    summary.updated_items += updated
    if outcome == Source.Outcome.UNCHANGED:
        summary.unchanged += 1
    elif outcome in (Source.Outcome.FAILED, Source.Outcome.RETIRED):
        summary.failed += 1
