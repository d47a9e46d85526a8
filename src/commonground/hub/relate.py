"""Relating items: "the same story" and "related from other sectors", at a cost per item
that does not grow with the commons.

An item waits in ``Waiting`` from the moment a harvest stores or changes it.
Relating takes the waiting items a batch at a time (on PostgreSQL with
``FOR UPDATE SKIP LOCKED``, so workers share the queue without taking the
same item twice) and, for the whole batch at once:

1. works out each item's fingerprint (hub/similar.py) and key words;
2. adds to each key word's count in ``Term`` (the word's rarity) and files
   its rarest key words in ``Posting``, one row per word and sector;
3. finds the same story: another item whose fingerprint is within
   ``SAME_STORY_BITS``, looked up by the four bands, each an index read;
4. finds the related items: for each of the item's rarest key words, the
   newest ``PER_WORD`` items filed under it (an index range read, however
   many items have the word), scored by the rarity of the words they share;
   the best ``RELATED`` from a sector the item is not in are kept.

Every lookup reads a bounded slice of an index, so a batch costs the same
in a commons of a thousand items as in one of millions; see
docs/architecture.md. Nothing here ranks the whole commons.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from commonground.hub import similar
from commonground.hub.models import Item, Waiting
from commonground.lib import bulk, processes

log = logging.getLogger(__name__)

BATCH = 10_000  # items related in one transaction (and one task, with workers)
SCORED_AT_ONCE = 1_000  # items whose texts are read, and candidates scored, together
# Fewer waiting items are related without helper processes: starting them costs more.
HELPERS_FROM = 4 * SCORED_AT_ONCE
# At most this many: with this process's share, four work out a batch's ten slices, and
# the slices in flight (two a helper) are never the whole batch.
MAX_HELPERS = 3
KEY_WORDS = 10  # counted per item, for each word's rarity
KEY_TEXT_WORDS = 1500  # of a long text, the words its key words are chosen from
ASKED = 6  # of them, the rarest filed and looked up
PER_WORD = 40  # newest items read per word looked up
# A related item shares at least two of the words looked up, or one that at most a fifth
# of the commons has (a word that common, alone, says little).
MIN_SHARED = 2
RARE_ENOUGH = math.log(5)
RELATED = 6  # kept per item
LONGEST_WORD = 64  # Term.word's length; longer "words" are not words


@dataclass
class Prepared:
    """One waiting item, worked out in memory before anything is written."""

    pk: int
    fingerprint: int | None
    words: list[str]
    sectors: set[int] = field(default_factory=set)
    story: int | None = None  # the story's first item, if another telling was found
    tellings: set[int] = field(default_factory=set)  # the other tellings found, and the first
    old_story: int | None = None


@dataclass
class Progress:
    related: int = 0
    seconds: float = 0.0


# -- the queue -------------------------------------------------------------------------


def waiting_count(*, source_id: int | None = None) -> int:
    """Items stored or changed and not yet related (of one source, with ``source_id``)."""
    waiting = Waiting.objects.all()
    if source_id is not None:
        waiting = waiting.filter(item__carriages__source_id=source_id)
    return waiting.count()


def relate_batch(*, limit: int = BATCH, helpers: processes.Helpers | None = None) -> int:
    """Relate up to ``limit`` waiting items in one transaction; returns how many.

    Items another worker is relating are skipped, not waited for.
    """
    with transaction.atomic():
        # Safe to lose in a crash: the claimed items leave the queue in this transaction.
        bulk.commit_without_waiting()
        claimed = list(
            Waiting.objects.order_by("item_id")
            .select_for_update(skip_locked=True)
            .values_list("item_id", flat=True)[:limit]
        )
        if claimed:
            relate(claimed, helpers=helpers)
            Waiting.objects.filter(item_id__in=claimed).delete()
    return len(claimed)


def relate_waiting(
    *, limit: int | None = None, progress: Callable[[int, int], None] | None = None
) -> Progress:
    """Relate waiting items until none are left (or ``limit`` are done), batch by batch.

    When many wait, helper processes work out most of their fingerprints and key words
    (about two thirds of relating's work); this process reads the texts out to them and
    works out a share itself.
    """
    started = time.monotonic()
    done = Progress()
    total = waiting_count()
    # One helper fewer than a harvest's parsers, as this process takes a share.
    count = min(processes.helper_count(settings.HUB_PARSE_PROCESSES) - 1, MAX_HELPERS)
    many = min(total, limit) if limit is not None else total
    helpers = processes.start(count) if count > 0 and many >= HELPERS_FROM else None
    try:
        while limit is None or done.related < limit:
            size = BATCH if limit is None else min(BATCH, limit - done.related)
            try:
                related = relate_batch(limit=size, helpers=helpers)
            except (BrokenExecutor, OSError):
                if helpers is None:
                    raise
                # A helper died (killed, or out of memory) or could not be started: the
                # batch's transaction was undone, so it and the rest are related here.
                log.warning("Relating goes on without helper processes", exc_info=True)
                helpers.shutdown(wait=False, cancel_futures=True)
                helpers = None
                continue
            if not related:
                break
            done.related += related
            if progress:
                progress(done.related, max(total, done.related))
    finally:
        if helpers is not None:
            helpers.shutdown(cancel_futures=True)
    done.seconds = time.monotonic() - started
    return done


def requeue(*, item_ids: Iterable[int]) -> None:
    """Put items back in the queue (their text or their hubs' sectors changed)."""
    with connection.cursor() as cursor:
        bulk.insert_new(cursor, WAITING_COLUMNS, [(pk,) for pk in item_ids])


WAITING_COLUMNS: bulk.Columns = ("hub_waiting", {"item_id": "bigint"})
POSTING_COLUMNS: bulk.Columns = (
    "hub_posting",
    {"term_id": "bigint", "item_id": "bigint", "sector_id": "bigint"},
)
FINGERPRINT_COLUMNS: bulk.Columns = (
    "hub_fingerprint",
    {
        **{f: "bigint" for f in ("item_id", "value", "band0", "band1", "band2", "band3")},
        "words": "text",
    },
)
RELATION_COLUMNS: bulk.Columns = (
    "hub_relation",
    {"item_id": "bigint", "related_id": "bigint", "score": "double precision"},
)
TERM_COLUMNS: bulk.Columns = ("hub_term", {"word": "text", "items": "integer"})


# -- relating a batch ------------------------------------------------------------------


def relate(item_ids: list[int], *, helpers: processes.Helpers | None = None) -> None:
    """Fingerprint and file these items, then find each one's story and related items.

    Run inside a transaction. Items related before are filed afresh (their old
    postings, fingerprint and relations replaced), so relating again is safe. With
    ``helpers``, those processes work out the fingerprints and key words.
    """
    with connection.cursor() as cursor:
        prepared = _prepare(cursor, item_ids, helpers)
        _forget(cursor, item_ids)
        terms = _file(cursor, prepared)
        _find_stories(cursor, prepared)
        related = _find_related(cursor, prepared, terms)
        _write(cursor, prepared, related)


def _prepare(
    cursor: Any, item_ids: list[int], helpers: processes.Helpers | None = None
) -> list[Prepared]:
    query = "SELECT id, title, text, story_id FROM hub_item WHERE id"
    # In id order (a later item of the batch finds an earlier one as its story), and the
    # texts a slice at a time: a whole batch's would be tens of megabytes at once.
    ids = sorted(item_ids)
    slices = (
        sorted(bulk.select_in(cursor, query, ids[start : start + SCORED_AT_ONCE]))
        for start in range(0, len(ids), SCORED_AT_ONCE)
    )
    prepared = []
    for rows, summaries in _summarised(slices, helpers):
        for (pk, story), (fingerprint, words) in zip(rows, summaries, strict=True):
            words = [w for w in words if len(w) <= LONGEST_WORD]
            prepared.append(Prepared(pk, fingerprint, words, old_story=story))
    by_pk = {p.pk: p for p in prepared}
    for item_id, sector_id in bulk.select_in(
        cursor,
        "SELECT c.item_id, s.sector_id FROM hub_carriage c "
        "JOIN hub_source_sectors s ON s.source_id = c.source_id WHERE c.item_id",
        item_ids,
    ):
        by_pk[item_id].sectors.add(sector_id)
    return prepared


Summaries = list[tuple[int | None, list[str]]]


def _summarised(
    slices: Iterable[list[tuple[int, str, str, int | None]]],
    helpers: processes.Helpers | None,
) -> Iterator[tuple[list[tuple[int, int | None]], Summaries]]:
    """Each slice's (id, story) pairs with its items' fingerprints and key words
    (similar.summary), in order: worked out here, or by ``helpers`` and here by turns
    (one slice in every helpers + 1 here). At most two slices a helper are in flight,
    so a batch's texts are not all in memory at once."""
    options = {"limit": KEY_WORDS, "read": KEY_TEXT_WORDS}
    count = helpers.count if helpers is not None else 0
    given: deque[tuple[list[tuple[int, int | None]], Future[Summaries] | Summaries]] = deque()
    for n, rows in enumerate(slices):
        texts = [(title, text) for _, title, text, _ in rows]
        pairs = [(pk, story) for pk, _, _, story in rows]
        if helpers is None or n % (count + 1) == count:
            given.append((pairs, similar.summaries(texts, **options)))
        else:
            given.append((pairs, helpers.submit(similar.summaries, texts, **options)))
        while len(given) > 2 * count:
            yield _done(given.popleft())
    while given:
        yield _done(given.popleft())


def _done(
    given: tuple[list[tuple[int, int | None]], Future[Summaries] | Summaries],
) -> tuple[list[tuple[int, int | None]], Summaries]:
    pairs, summaries = given
    return pairs, summaries.result() if isinstance(summaries, Future) else summaries


def _forget(cursor: Any, item_ids: list[int]) -> None:
    """Take back what an earlier relating of these items filed and counted (nothing, for
    new items)."""
    counted = Counter(
        word
        for _, words in bulk.select_in(
            cursor, "SELECT item_id, words FROM hub_fingerprint WHERE item_id", item_ids
        )
        for word in words.split()
    )
    if counted:
        terms = bulk.select_in(cursor, "SELECT word, id FROM hub_term WHERE word", sorted(counted))
        _add_to_terms(cursor, {pk: -counted[word] for word, pk in terms})
    for table in ("hub_posting", "hub_relation", "hub_fingerprint"):
        delete = f"DELETE FROM {table} WHERE item_id"  # noqa: S608 - our own names
        bulk.select_in(cursor, delete, item_ids, rows=False)


def _file(cursor: Any, prepared: list[Prepared]) -> dict[str, tuple[int, int]]:
    """File the batch's key words; returns each word's (term id, items with it), this batch
    included, so that items of one batch find each other."""
    in_batch = Counter(w for p in prepared for w in set(p.words))
    if not in_batch:
        return {}
    known = {
        word: (pk, items)
        for word, pk, items in bulk.select_in(
            cursor, "SELECT word, id, items FROM hub_term WHERE word", sorted(in_batch)
        )
    }
    new = sorted(w for w in in_batch if w not in known)
    if new:
        # In word order, so that two workers adding the same words never wait on each other
        # in a circle; a word another worker added meanwhile is read back below.
        bulk.insert_new(cursor, TERM_COLUMNS, [(w, 0) for w in new])
        for word, pk, items in bulk.select_in(
            cursor, "SELECT word, id, items FROM hub_term WHERE word", new
        ):
            known[word] = (pk, items)
    _add_to_terms(cursor, {known[w][0]: n for w, n in in_batch.items()})
    terms = {w: (known[w][0], known[w][1] + in_batch[w]) for w in in_batch}
    # Only an item's rarest words are filed: those are the words others look up (a word
    # most items have would be filed a million times and looked up almost never).
    rows: list[tuple[int, int, int]] = []
    for p in prepared:
        rarest = sorted(set(p.words), key=lambda w: (terms[w][1], w))[:ASKED]
        rows.extend((terms[w][0], p.pk, sector) for w in rarest for sector in sorted(p.sectors))
    bulk.copy_in(cursor, POSTING_COLUMNS, rows)
    return terms


def _add_to_terms(cursor: Any, changes: Mapping[int, int]) -> None:
    """Add to words' item counts, in id order (two workers never wait on each other in a
    circle)."""
    rows = sorted((pk, n) for pk, n in changes.items() if n)
    if not rows:
        return
    if connection.vendor == "postgresql":
        cursor.execute(
            "UPDATE hub_term t SET items = GREATEST(t.items + d.n, 0) "
            "FROM unnest(%s::bigint[], %s::integer[]) AS d(id, n) WHERE t.id = d.id",
            [[pk for pk, _ in rows], [n for _, n in rows]],
        )
    else:
        cursor.executemany(
            "UPDATE hub_term SET items = MAX(items + %s, 0) WHERE id = %s",
            [(n, pk) for pk, n in rows],
        )


def _find_stories(cursor: Any, prepared: list[Prepared]) -> None:
    """Give each item whose text is within ``SAME_STORY_BITS`` of an earlier item's that
    item's story. Earlier items are those related before (found by the bands' indexes)
    and those earlier in this batch; a match shares a band (see hub/similar.py)."""
    printed = [(p, similar.bands(p.fingerprint)) for p in prepared if p.fingerprint is not None]
    if not printed:
        return
    # (band, value) -> [(item id, fingerprint)]
    filed: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for band in range(4):
        values = sorted({bands[band] for _, bands in printed})
        query = f"SELECT band{band}, item_id, value FROM hub_fingerprint WHERE band{band}"  # noqa: S608
        for value, pk, fingerprint in bulk.select_in(cursor, query, values):
            filed[band, value].append((pk, fingerprint))
    matches: dict[int, int] = {}  # item id -> the earliest item it retells
    near, every_bit = similar.SAME_STORY_BITS, (1 << 64) - 1
    for p, bands in printed:
        mine = p.fingerprint
        assert mine is not None  # noqa: S101 - filtered above
        found = [  # similar.distance, written out: this runs for every candidate
            pk
            for band, value in enumerate(bands)
            for pk, other in filed[band, value]
            if ((mine ^ other) & every_bit).bit_count() <= near
        ]
        if found:
            matches[p.pk] = min(found)
            p.tellings.update(found)
        for band, value in enumerate(bands):  # later items of the batch find this one
            filed[band, value].append((p.pk, mine))
    if not matches:
        return
    # A match's own story, if it has one, is the story (the first item that told it).
    roots = dict(
        bulk.select_in(
            cursor,
            "SELECT id, story_id FROM hub_item WHERE story_id IS NOT NULL AND id",
            sorted(set(matches.values())),
        )
    )
    by_pk = {p.pk: p for p in prepared}
    for p, _ in printed:
        if (first := matches.get(p.pk)) is not None:
            if first in by_pk:  # earlier in this batch: its story was settled just before
                p.story = by_pk[first].story or first
            else:
                p.story = roots.get(first) or first
            p.tellings.add(p.story)
    # Tellings in this batch know each other, later ones included.
    batch: dict[int, set[int]] = defaultdict(set)
    for p, _ in printed:
        batch[p.story or p.pk].add(p.pk)
    for p, _ in printed:
        p.tellings |= batch[p.story or p.pk] - {p.pk}


def _find_related(
    cursor: Any, prepared: list[Prepared], terms: dict[str, tuple[int, int]]
) -> dict[int, list[tuple[int, float]]]:
    """Each item's best ``RELATED`` items from another sector, with their scores."""
    everyone = max(
        Item.objects.aggregate(top=Max("pk"))["top"] or 0, max((p.pk for p in prepared), default=0)
    )
    weight = {w: math.log((everyone + 1) / (items + 1)) for w, (_, items) in terms.items()}
    # Each item's rarest words that another item has too: a word only this item has finds
    # nothing; of the rest, the rarest say the most.
    asked = [
        sorted((w for w in p.words if terms[w][1] > 1), key=lambda w: (-weight[w], w))[:ASKED]
        for p in prepared
    ]
    postings = _newest(cursor, sorted({terms[w][0] for words in asked for w in words}))
    found: dict[int, list[tuple[int, float]]] = {}
    # Scored a slice of the batch at a time: the candidates of a whole batch would take
    # hundreds of megabytes at once.
    for start in range(0, len(prepared), SCORED_AT_ONCE):
        part = range(start, min(start + SCORED_AT_ONCE, len(prepared)))
        asks = [(n - start, terms[w][0], weight[w]) for n in part for w in asked[n]]
        found |= _best(prepared[part.start : part.stop], asks, postings)
    return found


def _best(
    prepared: list[Prepared], asks: list[tuple[int, int, float]], postings: np.ndarray
) -> dict[int, list[tuple[int, float]]]:
    """Score every (item, candidate) pair of ``prepared`` at once, in numpy.

    ``asks`` are (the item's place in ``prepared``, term id, the word's weight),
    ``postings`` three rows (term id, item id, sector id) by term, newest first.
    A candidate scores the weights of the words it shares with the item, each word once
    however many sectors it is filed under; it counts if it shares ``MIN_SHARED`` words
    or its score reaches ``RARE_ENOUGH``, and only if one of its sectors is not the item's.
    """
    if not asks:
        return {p.pk: [] for p in prepared}
    asker = np.fromiter((n for n, _, _ in asks), dtype=np.int64, count=len(asks))
    asked_term = np.fromiter((t for _, t, _ in asks), dtype=np.int64, count=len(asks))
    asked_weight = np.fromiter((w for _, _, w in asks), dtype=np.float64, count=len(asks))
    term, item, sector = postings
    # Each word's candidates: the slice of postings filed under it, joined to every ask of it.
    lo = np.searchsorted(term, asked_term, side="left")
    lengths = np.searchsorted(term, asked_term, side="right") - lo
    rows = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    who = np.repeat(asker, lengths)
    candidate, candidate_sector = item[rows], sector[rows]
    # A candidate filed under a word in two sectors shares that word once.
    first = np.ones(len(term), dtype=bool)
    first[1:] = (term[1:] != term[:-1]) | (item[1:] != item[:-1])
    once = first[rows]
    # Whether the candidate's sector in this row is one the item is not in.
    codes = np.unique(np.concatenate([sector, [s for p in prepared for s in p.sectors]]))
    mine = np.zeros((len(prepared), len(codes)), dtype=bool)
    for n, p in enumerate(prepared):
        mine[n, np.searchsorted(codes, sorted(p.sectors))] = True
    outside = ~mine[who, np.searchsorted(codes, candidate_sector)]
    # One group a (item, candidate) pair.
    pairs, group = np.unique((who << 40) | candidate, return_inverse=True)
    score = np.bincount(group, weights=np.where(once, np.repeat(asked_weight, lengths), 0.0))
    shared = np.bincount(group, weights=once)
    elsewhere = np.bincount(group, weights=outside) > 0
    who, candidate = pairs >> 40, pairs & ((1 << 40) - 1)
    own = np.array([p.pk for p in prepared], dtype=np.int64)
    keep = ((score >= RARE_ENOUGH) | (shared >= MIN_SHARED)) & elsewhere & (candidate != own[who])
    who, candidate, score = who[keep], candidate[keep], score[keep]
    # Best first within each item (the newer of two equal scores first); enough of each
    # item's best to fill its ``RELATED`` after taking out other tellings of its story.
    order = np.lexsort((-candidate, -score, who))
    who, candidate, score = who[order], candidate[order], score[order]
    starts = np.searchsorted(who, who, side="left")
    room = RELATED + np.array([len(p.tellings) for p in prepared], dtype=np.int64)
    near_top = np.arange(len(who)) - starts < room[who]
    found: dict[int, list[tuple[int, float]]] = {p.pk: [] for p in prepared}
    for n, pk, s in zip(
        who[near_top].tolist(), candidate[near_top].tolist(), score[near_top].tolist(), strict=True
    ):
        p = prepared[n]
        # Other tellings of the item's own story are shown as that.
        if pk not in p.tellings and len(found[p.pk]) < RELATED:
            found[p.pk].append((pk, s))
    return found


def _newest(cursor: Any, term_ids: list[int]) -> np.ndarray:
    """For each term, the newest ``PER_WORD`` postings: three rows, (term id, item id,
    sector id), by term and newest first."""
    parts: list[np.ndarray] = []

    def take(rows: list[tuple[int, int, int]]) -> None:
        # As numbers at once: as Python tuples, a big batch's rows take hundreds of MB.
        parts.append(np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows)))

    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT t.id, p.item_id, p.sector_id FROM unnest(%s::bigint[]) AS t(id) "
            "CROSS JOIN LATERAL (SELECT item_id, sector_id FROM hub_posting "
            "WHERE term_id = t.id ORDER BY item_id DESC LIMIT %s) p",
            [term_ids, PER_WORD],
        )
        while rows := cursor.fetchmany(20_000):
            take(rows)
    else:
        # SQLite has no LATERAL: one index read a term, many to a statement.
        one = (
            "SELECT * FROM (SELECT term_id, item_id, sector_id FROM hub_posting "  # noqa: S608
            f"WHERE term_id = %s ORDER BY item_id DESC LIMIT {PER_WORD})"
        )
        step = 400  # SQLite allows 500 parts to a compound SELECT
        for start in range(0, len(term_ids), step):
            chunk = term_ids[start : start + step]
            cursor.execute(" UNION ALL ".join([one] * len(chunk)), chunk)
            take(cursor.fetchall())
    postings = np.concatenate(parts or [np.empty(0, dtype=np.int64)]).reshape(-1, 3).T
    term, item = postings[0], postings[1]
    # As asked for, they come in order (term by term, newest first): sorting them again
    # would take another copy of them all.
    step = np.diff(term)
    if (step < 0).any() or (np.diff(item)[step == 0] > 0).any():
        postings = postings[:, np.lexsort((postings[2], -item, term))]
    return postings


def _write(
    cursor: Any, prepared: list[Prepared], related: dict[int, list[tuple[int, float]]]
) -> None:
    bulk.copy_in(
        cursor,
        FINGERPRINT_COLUMNS,
        [
            (p.pk, p.fingerprint, *similar.bands(p.fingerprint), " ".join(p.words))
            if p.fingerprint is not None
            else (p.pk, None, None, None, None, None, " ".join(p.words))
            for p in prepared
        ],
    )
    bulk.copy_in(
        cursor,
        RELATION_COLUMNS,
        [(p.pk, pk, score) for p in prepared for pk, score in related[p.pk]],
    )
    # The item row is written only when its story changes (rarely): on PostgreSQL every
    # write to it also recomputes its search vector.
    moved = [(p.story, p.pk) for p in prepared if p.story != p.old_story]
    if moved:
        cursor.executemany("UPDATE hub_item SET story_id = %s WHERE id = %s", moved)
