"""Harvest sources: fetch, parse and store, many at once, one bad source never stopping the rest.

The one entry point is :func:`harvest`. It takes sources that the caller has
already claimed (``services.sources_claim``), fetches them on a thread pool
with at most two requests at a time to one host, and stores each result in
its own transaction as it arrives, so a slow or failing source delays
nothing else. Items are upserted on their unique link key and each hub's
entry on (source, entry key), so a harvest cut off part-way and run again
stores every item exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commonground.hub import links
from commonground.hub.models import Carriage, Item, ItemTheme, Source, SourceCheck, Theme
from commonground.hub.parse import Entry, Feed, ParseError, parse, text_of_html
from commonground.lib import safehttp
from commonground.lib.sanitise import clean_html

log = logging.getLogger(__name__)

MIN_INTERVAL = 15 * 60
MAX_INTERVAL = 24 * 60 * 60
MAX_BACKOFF = 24 * 60 * 60
PER_HOST = 2
HISTORY_KEPT = 50
TEXT_KEPT = 20_000


@dataclass
class Summary:
    checked: int = 0
    unchanged: int = 0
    failed: int = 0
    new_items: int = 0
    updated_items: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.checked} sources checked, {self.unchanged} unchanged, {self.failed} failed, "
            f"{self.new_items} new items, {self.updated_items} updated items, "
            f"{self.seconds:.1f} seconds"
        )


@dataclass
class Prepared:
    """One entry made ready to store, in a fetch thread."""

    link_key: str
    entry_key: str
    link: str
    original_link: str
    title: str
    content: str
    text: str
    author: str
    published: datetime
    categories: str
    content_hash: str
    theme_ids: list[int] = field(default_factory=list)


@dataclass
class Fetched:
    source: Source
    started: float
    response: safehttp.Response | None = None
    error: str = ""
    feed: Feed | None = None
    prepared: list[Prepared] = field(default_factory=list)
    duration: float = 0.0


@dataclass(frozen=True)
class ThemeRules:
    """Keyword rules and category mappings of every theme, compiled once per harvest."""

    keywords: list[tuple[int, re.Pattern[str]]]
    categories: dict[str, int]

    @classmethod
    def load(cls) -> ThemeRules:
        keywords: list[tuple[int, re.Pattern[str]]] = []
        categories: dict[str, int] = {}
        for theme in Theme.objects.all():
            words = [w.strip() for w in theme.keywords.splitlines() if w.strip()]
            if words:
                alternatives = "|".join(re.escape(w) for w in words)
                keywords.append((theme.pk, re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)))
            for category in theme.categories.splitlines():
                if category.strip():
                    categories[category.strip().lower()] = theme.pk
        return cls(keywords, categories)

    def themes_for(self, title: str, text: str, categories: Iterable[str]) -> list[int]:
        found = {self.categories[c.lower()] for c in categories if c.lower() in self.categories}
        haystack = f"{title}\n{text[:5000]}"
        found.update(pk for pk, pattern in self.keywords if pattern.search(haystack))
        return sorted(found)


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


def _prepare(entry: Entry, source_id: int, now: datetime, rules: ThemeRules) -> Prepared:
    body_html = entry.content_html or entry.summary_html
    content = clean_html(body_html, base_url=entry.base or entry.link)
    text = text_of_html(content)[:TEXT_KEPT]
    title = (entry.title or text[:120] or entry.link or "Untitled")[:500]
    entry_key = hashlib.sha256(entry.key.encode("utf-8", "replace")).hexdigest()[:40]
    if entry.link.startswith(("http://", "https://")):
        link_key = links.link_key(entry.link)
        link = links.normalise(entry.link)
    else:
        # Without a link the entry is only this hub's; key it to the hub.
        link_key = hashlib.sha256(f"{source_id}:{entry.key}".encode()).hexdigest()[:40]
        link = ""
    published = entry.published or entry.updated or now
    if published > now:
        published = now
    content_hash = hashlib.sha256(f"{title}\x00{content}\x00{link}".encode()).hexdigest()[:16]
    return Prepared(
        link_key=link_key,
        entry_key=entry_key,
        link=link[:2000],
        original_link=entry.link[:2000],
        title=title,
        content=content,
        text=text,
        author=entry.author[:300],
        published=published,
        categories=", ".join(entry.categories)[:1000],
        content_hash=content_hash,
        theme_ids=rules.themes_for(title, text, entry.categories),
    )


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
        allowed_networks=safehttp.parse_networks(settings.HUB_ALLOWED_PRIVATE_NETWORKS),
    )


def _fetch(source: Source, limiter: HostLimiter, rules: ThemeRules, now: datetime) -> Fetched:
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
            result.feed = parse(
                response.body, url=response.url, content_type=response.header("content-type") or ""
            )
            result.prepared = [_prepare(e, source.pk, now, rules) for e in result.feed.entries]
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


# -- storing (main thread, one transaction per source) ---------------------------------


def _seconds_header(value: str | None, now: datetime) -> int | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
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


def _upsert_items(source: Source, prepared: list[Prepared], now: datetime) -> tuple[int, int, int]:
    """Store a source's entries; returns (new items, changed items, entries new to this hub)."""
    # The same link can appear twice in one feed; the first entry wins.
    by_key: dict[str, Prepared] = {}
    for p in prepared:
        by_key.setdefault(p.link_key, p)
    # What this hub already carried: only a hub's own entries update an item, so two
    # hubs with different words for one link do not overwrite each other by turns.
    carried = set(
        Carriage.objects.filter(
            source=source, entry_key__in=[p.entry_key for p in prepared]
        ).values_list("entry_key", flat=True)
    )
    existing = {
        key: (pk, content_hash)
        for key, pk, content_hash in Item.objects.filter(link_key__in=list(by_key)).values_list(
            "link_key", "id", "content_hash"
        )
    }
    new = [
        Item(
            link_key=p.link_key,
            link=p.link,
            title=p.title,
            content=p.content,
            text=p.text,
            author=p.author,
            published_at=p.published,
            first_seen_at=now,
            changed_at=now,
            content_hash=p.content_hash,
        )
        for key, p in by_key.items()
        if key not in existing
    ]
    if new:
        # Another worker may insert the same link at the same moment; the unique
        # key makes the second insert a no-op rather than a duplicate.
        Item.objects.bulk_create(new, ignore_conflicts=True)
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
            changed, ["title", "content", "text", "author", "changed_at", "content_hash", "link"]
        )
    ids = dict(Item.objects.filter(link_key__in=list(by_key)).values_list("link_key", "id"))
    Carriage.objects.bulk_create(
        [
            Carriage(
                item_id=ids[p.link_key],
                source=source,
                entry_key=p.entry_key,
                original_link=p.original_link,
                categories=p.categories,
                published_at=p.published,
                seen_at=now,
            )
            for p in prepared
            if p.link_key in ids
        ],
        ignore_conflicts=True,
    )
    ItemTheme.objects.bulk_create(
        [
            ItemTheme(item_id=ids[p.link_key], theme_id=theme_id, by_rule=True)
            for p in by_key.values()
            for theme_id in p.theme_ids
            if p.link_key in ids
        ],
        ignore_conflicts=True,
    )
    return len(new), len(changed), len({p.entry_key for p in prepared} - carried)


def _record(fetched: Fetched, now: datetime) -> tuple[str, int, int]:
    """Store one source's result; returns (outcome, new, updated)."""
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
            new, updated, added_here = _upsert_items(source, fetched.prepared, now)
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
            if feed.site_url and not source.site_url:
                changes["site_url"] = feed.site_url[:2000]
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
    # Only the claim holder may write; a worker whose claim ran out writes nothing.
    Source.objects.filter(pk=source.pk, claim_token=source.claim_token).update(**changes)
    SourceCheck.objects.create(
        source=source,
        checked_at=now,
        outcome=outcome,
        status_code=status,
        message=message[:500],
        new_items=new,
        updated_items=updated,
        duration_ms=int(fetched.duration * 1000),
    )
    stale = SourceCheck.objects.filter(source=source).values_list("id", flat=True)[HISTORY_KEPT:]
    stale_ids = list(stale)
    if stale_ids:
        SourceCheck.objects.filter(id__in=stale_ids).delete()
    return outcome, new, updated


def harvest(
    sources: Sequence[Source],
    *,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Fetch and store ``sources`` (already claimed); returns what happened, in figures."""
    started = time.monotonic()
    summary = Summary()
    if not sources:
        return summary
    rules = ThemeRules.load()
    limiter = HostLimiter()
    now = timezone.now()
    workers = max(1, min(threads or settings.HUB_FETCH_THREADS, len(sources)))
    done = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest") as pool:
        futures: list[Future[Fetched]] = [
            pool.submit(_fetch, source, limiter, rules, now) for source in sources
        ]
        for future in as_completed(futures):
            fetched = future.result()
            try:
                with transaction.atomic():
                    outcome, new, updated = _record(fetched, timezone.now())
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
            done += 1
            if progress:
                progress(done, len(sources))
    summary.seconds = time.monotonic() - started
    return summary
