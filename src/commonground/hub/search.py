"""Full-text search over items: SQLite FTS5 embedded, PostgreSQL full-text search in production.

The whole of search is this module. The index is kept by the database
itself, so it is current the moment an item is stored, with no manual step:

- SQLite: an FTS5 table over ``hub_item``'s title and text (external
  content) kept in step by triggers on insert, update and delete.
- PostgreSQL: each item's ``tsvector`` (title weighted above text) in a table
  of its own, ``hub_itemsearch``, with a GIN index, kept in step by triggers on
  ``hub_item`` (hub migration 0013; until then a generated column of the item).

On PostgreSQL, computing the vectors is most of what storing an item costs the
database (its text parsed and every word stemmed). A harvest therefore asks
for them later (:func:`indexed_later`): the triggers only queue its items in
``hub_unsearched``, and an :class:`Indexer` on a connection of its own
computes them while the harvest stores the next feeds, on the machine's other
core. The harvest reports only when the queue is empty; what a crash leaves
queued, the next harvest indexes first.

``install_sql`` gives the migrations their statements; :func:`search` is the
one way to query.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commonground.hub import prepare

log = logging.getLogger(__name__)

_MARK_ON, _MARK_OFF = "\x02", "\x03"
# A query matching more items than this ranks its newest this many (see search()).
MAX_RANKED = 2_000
# Words past this many that name a theme are looked for in the text only: each doubles
# the ways an item can match (see _word_sets).
MAX_THEMED_WORDS = 3

SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE hub_item_fts USING fts5(
        title, text, content='hub_item', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER hub_item_fts_insert AFTER INSERT ON hub_item BEGIN
        INSERT INTO hub_item_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER hub_item_fts_delete AFTER DELETE ON hub_item BEGIN
        INSERT INTO hub_item_fts(hub_item_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER hub_item_fts_update AFTER UPDATE OF title, text ON hub_item BEGIN
        INSERT INTO hub_item_fts(hub_item_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO hub_item_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS hub_item_fts_update",
    "DROP TRIGGER IF EXISTS hub_item_fts_delete",
    "DROP TRIGGER IF EXISTS hub_item_fts_insert",
    "DROP TABLE IF EXISTS hub_item_fts",
]
# As hub migration 0002 made the index on PostgreSQL; 0013 moves it (SEARCH_TABLE_INSTALL).
POSTGRES_INSTALL = [
    """ALTER TABLE hub_item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(left(text, 100000), '')), 'B')
    ) STORED""",
    "CREATE INDEX hub_item_search ON hub_item USING gin (search_vector)",
]
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS hub_item_search",
    "ALTER TABLE hub_item DROP COLUMN IF EXISTS search_vector",
]


# PostgreSQL from hub migration 0013: the vectors in a table of their own, kept by triggers
# that compute them at once, or queue the items when the transaction asks for later.
SEARCH_TABLE_INSTALL = [
    """CREATE FUNCTION hub_item_vector(title text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
               setweight(to_tsvector('english'::regconfig, coalesce(left(body, 100000), '')), 'B')
    $$""",
    "CREATE TABLE hub_itemsearch (item_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE TABLE hub_unsearched (item_id bigint PRIMARY KEY)",
    """CREATE FUNCTION hub_item_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        later boolean := current_setting('commonground.search_later', true) = 'on';
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM hub_itemsearch WHERE item_id IN (SELECT id FROM gone);
            DELETE FROM hub_unsearched WHERE item_id IN (SELECT id FROM gone);
        ELSIF TG_OP = 'INSERT' AND later THEN
            INSERT INTO hub_unsearched SELECT id FROM changed ON CONFLICT DO NOTHING;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO hub_itemsearch SELECT id, hub_item_vector(title, text) FROM changed
                ON CONFLICT (item_id) DO UPDATE SET vector = EXCLUDED.vector;
        ELSIF later THEN
            INSERT INTO hub_unsearched SELECT c.id FROM changed c JOIN before b ON b.id = c.id
                WHERE (c.title, c.text) IS DISTINCT FROM (b.title, b.text)
                ON CONFLICT DO NOTHING;
        ELSE
            INSERT INTO hub_itemsearch SELECT c.id, hub_item_vector(c.title, c.text)
                FROM changed c JOIN before b ON b.id = c.id
                WHERE (c.title, c.text) IS DISTINCT FROM (b.title, b.text)
                ON CONFLICT (item_id) DO UPDATE SET vector = EXCLUDED.vector;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER hub_item_search_insert AFTER INSERT ON hub_item
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
        EXECUTE FUNCTION hub_item_search_keep()""",
    """CREATE TRIGGER hub_item_search_update AFTER UPDATE ON hub_item
        REFERENCING OLD TABLE AS before NEW TABLE AS changed FOR EACH STATEMENT
        EXECUTE FUNCTION hub_item_search_keep()""",
    """CREATE TRIGGER hub_item_search_delete AFTER DELETE ON hub_item
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION hub_item_search_keep()""",
    """CREATE FUNCTION hub_item_search_empty() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE hub_itemsearch, hub_unsearched;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER hub_item_search_truncate AFTER TRUNCATE ON hub_item
        FOR EACH STATEMENT EXECUTE FUNCTION hub_item_search_empty()""",
    "INSERT INTO hub_itemsearch SELECT id, hub_item_vector(title, text) FROM hub_item",
    "CREATE INDEX hub_itemsearch_vector ON hub_itemsearch USING gin (vector)",
    "DROP INDEX IF EXISTS hub_item_search",
    "ALTER TABLE hub_item DROP COLUMN IF EXISTS search_vector",
]
SEARCH_TABLE_UNINSTALL = [
    *POSTGRES_INSTALL,
    "DROP TRIGGER IF EXISTS hub_item_search_truncate ON hub_item",
    "DROP FUNCTION IF EXISTS hub_item_search_empty()",
    "DROP TRIGGER IF EXISTS hub_item_search_delete ON hub_item",
    "DROP TRIGGER IF EXISTS hub_item_search_update ON hub_item",
    "DROP TRIGGER IF EXISTS hub_item_search_insert ON hub_item",
    "DROP FUNCTION IF EXISTS hub_item_search_keep()",
    "DROP TABLE IF EXISTS hub_unsearched",
    "DROP TABLE IF EXISTS hub_itemsearch",
    "DROP FUNCTION IF EXISTS hub_item_vector(text, text)",
]


def install_sql(vendor: str, *, reverse: bool = False) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_UNINSTALL if reverse else SQLITE_INSTALL
    if vendor == "postgresql":
        return POSTGRES_UNINSTALL if reverse else POSTGRES_INSTALL
    raise NotImplementedError(f"Search needs SQLite or PostgreSQL, not {vendor}.")


@dataclass(frozen=True)
class Filters:
    sector: int | None = None
    source: int | None = None
    theme: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Hit:
    id: int
    snippet: SafeString


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # True when more than MAX_RANKED items matched: total and ranking cover the newest ones.
    more: bool = False


_WORD = re.compile(r'"[^"]+"|\S+')


def terms(query: str) -> list[str]:
    """The words and "quoted phrases" of a query, lower-cased, punctuation trimmed."""
    found = []
    for token in _WORD.findall(query[:200]):
        cleaned = re.sub(r"[^\w\s'-]", " ", token.strip('"')).strip().lower()
        if cleaned:
            found.append(cleaned)
    return found[:12]


def _fts5_query(words: list[str]) -> str:
    # Each word or phrase quoted: nothing the user types is FTS5 syntax. A hyphenated
    # word is also looked for joined up: "co-production" finds "coproduction" too.
    return " AND ".join(
        f'("{w}" OR "{w.replace("-", "")}")' if "-" in w else f'"{w}"'
        for w in (w.replace('"', "") for w in words)
    )


def _filters_sql(cursor: Any, filters: Filters, item: str = "i.id") -> tuple[str, list[Any]]:
    """The filters as one SQL condition on the item whose id is ``item`` (the dates on the
    item ``i``), and its parameters.

    Each is one index probe per match. On PostgreSQL ``OFFSET 0`` keeps it so:
    without it, the planner may first read every item of a big theme or hub into a
    hash (tens of thousands of rows, for a search that checks two thousand).
    SQLite probes per match anyway (and allows no OFFSET without a LIMIT).
    """
    per_match = " OFFSET 0" if connection.vendor == "postgresql" else ""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.source:
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_carriage c "  # noqa: S608 - fixed SQL
            f"WHERE c.item_id = {item} AND c.source_id = %s{per_match})"
        )
        params.append(filters.source)
    if filters.sector:
        # The sector's hubs are looked up first, so each match needs one index probe (as a
        # subquery, PostgreSQL joins the sector's hubs again for every match).
        cursor.execute(
            "SELECT source_id FROM hub_source_sectors WHERE sector_id = %s", [filters.sector]
        )
        hubs = [row[0] for row in cursor.fetchall()] or [0]
        marks = ", ".join(["%s"] * len(hubs))
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_carriage c "  # noqa: S608 - placeholders only
            f"WHERE c.item_id = {item} AND c.source_id IN ({marks}){per_match})"
        )
        params.extend(hubs)
    if filters.theme:
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_itemtheme t "  # noqa: S608 - fixed SQL
            f"WHERE t.item_id = {item} AND t.theme_id = %s{per_match})"
        )
        params.append(filters.theme)
    if filters.since:
        clauses.append("i.published_at >= %s")
        params.append(_day_start(filters.since))
    if filters.until:
        clauses.append("i.published_at < %s")
        params.append(_day_start(filters.until + timedelta(days=1)))
    return " AND ".join(clauses) or "1 = 1", params


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _snippet(raw: str | None) -> SafeString:
    text = escape(raw or "")
    return mark_safe(text.replace(_MARK_ON, "<mark>").replace(_MARK_OFF, "</mark>"))  # noqa: S308 - escaped above


def _tsquery(words: list[str]) -> str:
    # Each word or phrase as quoted lexemes: nothing the user types is tsquery syntax. A
    # hyphenated word is also looked for joined up, as in _fts5_query.
    return " & ".join(_tsquery_word(w) for w in words if re.findall(r"\w+", w))


def _tsquery_word(word: str) -> str:
    phrase = "(" + " <-> ".join(f"'{part}'" for part in re.findall(r"\w+", word)) + ")"
    if "-" not in word:
        return phrase
    joined = "".join(re.findall(r"\w+", word))
    return f"({phrase} | '{joined}')"


def _themes_named(words: list[str]) -> list[list[int]]:
    """For each word or phrase, the themes it names: by the theme's name, its address or
    one of its keywords, in any of their word forms ("co-production" names the theme
    "Participation and co-production"). Items with the theme then match the word even
    where their text does not say it (issue 14)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, slug, keywords FROM hub_theme")
        themes = [
            (pk, {prepare.word_key(n) for n in [name, slug, *keywords.splitlines()] if n.strip()})
            for pk, name, slug, keywords in cursor.fetchall()
        ]
    keys = [prepare.word_key(w) for w in words]
    return [[pk for pk, names in themes if key and key in names] for key in keys]


def _word_sets(words: list[str], themed: list[list[int]]) -> tuple[str, list[Any]]:
    """SQL for the newest items (``MAX_RANKED + 1`` at most) that match every word, each
    in their text or by one of the themes it names, as (id, score): the text's score
    where the text has every word, else NULL; and its parameters.

    Each way an item can match (each theme-naming word found in the text, or by one of
    its themes instead) is a query of its own, newest first and limited, and the ways
    are joined: each walks the full-text index for the words it needs in the text and
    checks the themes of each match. One set of items per word, intersected, read every
    item of a common word or a big theme (seconds, on a million items). The first way,
    every word in the text, gives the scores: a match whose text has the words is among
    its newest, and bm25 asked item by item counts each word's items again every time
    (20 ms apiece for a common word).
    """
    naming = [n for n, themes in enumerate(themed) if themes][:MAX_THEMED_WORDS]
    ways: list[str] = []
    params: list[Any] = []
    for by_theme in itertools.product((False, True), repeat=len(naming)):
        chosen = {n for n, theme in zip(naming, by_theme, strict=True) if theme}
        in_text = [w for n, w in enumerate(words) if n not in chosen]
        sql, way_params = _one_way(in_text, [themed[n] for n in sorted(chosen)])
        ways.append(f"SELECT id, score FROM ({sql}) w{len(ways)}")  # noqa: S608 - fixed SQL
        params.extend(way_params)
    sql = (
        f"SELECT id, MAX(score) AS score FROM ({' UNION ALL '.join(ways)}) ways "  # noqa: S608 - fixed SQL
        "GROUP BY id ORDER BY id DESC LIMIT %s"
    )
    return sql, [*params, MAX_RANKED + 1]


def _one_way(in_text: list[str], theme_sets: list[list[int]]) -> tuple[str, list[Any]]:
    """SQL for the newest items whose text has every word of ``in_text`` and that have a
    theme of each of ``theme_sets``, as (id, score, the text's score without
    ``theme_sets``, else NULL); and its parameters."""
    distinct, score = "", "CAST(NULL AS REAL)"
    if not in_text:
        # Every word is found by a theme: the items of the first word's themes lead (one
        # with two of them is one match).
        first, *theme_sets = theme_sets
        item, table, distinct = "t0.item_id", "hub_itemtheme t0", "DISTINCT "
        clauses = [f"t0.theme_id IN ({', '.join(['%s'] * len(first))})"]
        params: list[Any] = list(first)
    elif connection.vendor == "sqlite":
        item, table = "hub_item_fts.rowid", "hub_item_fts"
        clauses, params = ["hub_item_fts MATCH %s"], [_fts5_query(in_text)]
        if not theme_sets:
            score = "-bm25(hub_item_fts, 8.0, 1.0)"
    else:
        item, table = "s.item_id", "hub_itemsearch s"
        clauses = ["s.vector @@ to_tsquery('english', %s)"]
        params = [_tsquery(in_text) or "''"]
        if not theme_sets:
            score = "ts_rank_cd(s.vector, to_tsquery('english', %s))"
            params.insert(0, params[0])
    for themes in theme_sets:
        marks = ", ".join(["%s"] * len(themes))
        clauses.append(
            f"EXISTS (SELECT 1 FROM hub_itemtheme t WHERE t.item_id = {item} "  # noqa: S608 - placeholders only
            f"AND t.theme_id IN ({marks}))"
        )
        params.extend(themes)
    sql = (
        f"SELECT {distinct}{item} AS id, {score} AS score FROM {table} "  # noqa: S608 - fixed SQL
        f"WHERE {' AND '.join(clauses)} ORDER BY {item} DESC LIMIT %s"
    )
    return sql, [*params, MAX_RANKED + 1]


def search(
    query: str, *, filters: Filters | None = None, offset: int = 0, limit: int = 20
) -> Results:
    """Items matching every word of ``query``, best first, with highlighted snippets.

    A broad query is ranked among its ``MAX_RANKED`` newest matches, so that
    its cost stays bounded however many items the commons holds; ``more`` then
    says there were more matches than that (add a word to narrow them).
    """
    words = terms(query)
    if not words:
        return Results()
    themed = _themes_named(words)
    with connection.cursor() as cursor:
        # One pass: the newest matches, each with whether it passes the filters and, if it
        # does, its score (scoring reads the item's index entry, so only those that pass).
        if any(themed):
            match = _fts5_query(words) if connection.vendor == "sqlite" else _tsquery(words)
            _themed_matches(cursor, words, themed, filters or Filters())
        elif connection.vendor == "sqlite":
            match = _fts5_query(words)
            # The item table is joined only for a date filter, and otherwise read for the
            # matches that pass (their dates break ties): reading it for every match took
            # as long as the rest of the search.
            dated = bool(filters and (filters.since or filters.until))
            passes, params = _filters_sql(
                cursor, filters or Filters(), item="i.id" if dated else "hub_item_fts.rowid"
            )
            joined = " JOIN hub_item i ON i.id = hub_item_fts.rowid" if dated else ""
            cursor.execute(
                "SELECT m.id, CASE WHEN m.score IS NOT NULL THEN "  # noqa: S608 - fixed SQL
                "(SELECT published_at FROM hub_item WHERE id = m.id) END, m.score FROM ("
                "SELECT hub_item_fts.rowid AS id, "
                f"CASE WHEN {passes} THEN -bm25(hub_item_fts, 8.0, 1.0) END AS score "
                f"FROM hub_item_fts{joined} WHERE hub_item_fts MATCH %s "
                "ORDER BY hub_item_fts.rowid DESC LIMIT %s) m",
                [*params, match, MAX_RANKED + 1],
            )
        else:
            match = _tsquery(words)
            passes, params = _filters_sql(cursor, filters or Filters())
            cursor.execute(
                "SELECT i.id, i.published_at, "  # noqa: S608 - the filters are fixed SQL
                f"CASE WHEN {passes} THEN ts_rank_cd(s.vector, to_tsquery('english', %s)) "
                "END FROM (SELECT item_id, vector FROM hub_itemsearch "
                "WHERE vector @@ to_tsquery('english', %s) ORDER BY item_id DESC LIMIT %s) s "
                "JOIN hub_item i ON i.id = s.item_id",
                [*params, match, match, MAX_RANKED + 1],
            )
        newest = sorted(cursor.fetchall(), key=itemgetter(0), reverse=True)
        more = len(newest) > MAX_RANKED
        kept = [row for row in newest[:MAX_RANKED] if row[2] is not None]
        # Best first and, among equals, newest first: sorted by date, then (stably) by
        # score. Dates compare as they come: PostgreSQL's are datetimes, and SQLite's text
        # (UTC, one format) sorts as the moments do; reading them as dates took a fifth of
        # a search.
        kept.sort(key=itemgetter(1), reverse=True)
        kept.sort(key=itemgetter(2), reverse=True)
        ids = [row[0] for row in kept[offset : offset + limit]]
        snippets = _snippets(cursor, ids, match) if ids else {}
        if missing := [pk for pk in ids if not snippets.get(pk)]:
            snippets.update(_openings(cursor, missing))
    return Results(
        hits=[Hit(id=pk, snippet=_snippet(snippets.get(pk))) for pk in ids],
        total=len(kept),
        more=more,
    )


def _themed_matches(
    cursor: Any, words: list[str], themed: list[list[int]], filters: Filters
) -> None:
    """Run search()'s one pass when some words name themes: the same rows (id, date if it
    passes the filters, score if it passes), an item that matches only by a theme scoring
    0, below every item whose text has the words."""
    found, found_params = _word_sets(words, themed)
    passes, params = _filters_sql(cursor, filters, item="f.id")
    cursor.execute(
        f"WITH f(id, score) AS ({found}) SELECT f.id, "  # noqa: S608 - fixed SQL and placeholders
        f"CASE WHEN {passes} THEN i.published_at END, "
        f"CASE WHEN {passes} THEN COALESCE(f.score, 0) END "
        "FROM f JOIN hub_item i ON i.id = f.id",
        [*found_params, *params, *params],
    )


def _openings(cursor: Any, ids: list[int]) -> dict[int, str]:
    """The first words of items whose text has none of the query's words (they matched
    by a theme), as their snippets."""
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"SELECT id, substr(text, 1, 240) FROM hub_item WHERE id IN ({marks})",  # noqa: S608 - placeholders only
        ids,
    )
    return {
        pk: (text.rsplit(" ", 1)[0] + " …") if len(text) >= 240 else text
        for pk, text in cursor.fetchall()
    }


def _snippets(cursor: Any, ids: list[int], match: str) -> dict[int, str]:
    """The highlighted passage of each of ``ids``, computed for the page's items only."""
    marks = ", ".join(["%s"] * len(ids))
    if connection.vendor == "sqlite":
        cursor.execute(
            f"SELECT rowid, snippet(hub_item_fts, 1, %s, %s, '…', 30) FROM hub_item_fts "  # noqa: S608 - placeholders only
            f"WHERE hub_item_fts MATCH %s AND rowid IN ({marks})",
            [_MARK_ON, _MARK_OFF, match, *ids],
        )
    else:
        cursor.execute(
            "SELECT id, ts_headline('english', left(text, 5000), to_tsquery('english', %s), %s) "  # noqa: S608 - placeholders only
            f"FROM hub_item WHERE id IN ({marks})",
            [match, f"StartSel={_MARK_ON}, StopSel={_MARK_OFF}, MaxWords=35, MinWords=15", *ids],
        )
    return dict(cursor.fetchall())


# -- computing PostgreSQL's vectors beside a harvest --------------------------------------

# Items a statement takes from the queue: a few seconds of one core's work.
INDEXED_AT_ONCE = 2_000


@contextmanager
def indexed_later() -> Iterator[None]:
    """Within this block of a transaction (PostgreSQL), queue the items stored or
    changed for an :class:`Indexer`, rather than computing their vectors as they are
    stored. (A block that raises leaves it to the transaction's rollback to undo.)"""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL commonground.search_later TO on")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL commonground.search_later TO off")


def index_waiting() -> int:
    """Compute the vectors of every queued item (PostgreSQL); returns how many.

    Each statement takes up to ``INDEXED_AT_ONCE`` items from the queue, skipping any
    that another process is indexing, and commits without waiting for the disk: a
    batch lost in a crash is still queued (its deletion from the queue is lost too).
    """
    if connection.vendor != "postgresql":
        return 0
    from commonground.lib import bulk

    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            bulk.commit_without_waiting()
            # How many it took from the queue and how many of those it indexed (an item
            # deleted meanwhile has no vector to compute).
            cursor.execute(
                "WITH taken AS (DELETE FROM hub_unsearched WHERE item_id IN ("
                "SELECT item_id FROM hub_unsearched ORDER BY item_id LIMIT %s "
                "FOR UPDATE SKIP LOCKED) RETURNING item_id), "
                "indexed AS (INSERT INTO hub_itemsearch "
                "SELECT i.id, hub_item_vector(i.title, i.text) "
                "FROM hub_item i JOIN taken ON taken.item_id = i.id "
                "ON CONFLICT (item_id) DO UPDATE SET vector = EXCLUDED.vector RETURNING 1) "
                "SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM indexed)",
                [INDEXED_AT_ONCE],
            )
            taken, indexed = cursor.fetchone()
        done += indexed
        if taken < INDEXED_AT_ONCE:
            return done


class Indexer:
    """Computes queued items' vectors on a thread and database connection of its own,
    while the thread that started it stores more (PostgreSQL; elsewhere it does
    nothing). :meth:`more` says a transaction that queued items has committed;
    :meth:`finish` returns once every queued item, from this harvest or one cut off
    before it, is searchable.
    """

    def __init__(self, *, on_thread: bool = True) -> None:
        # Without a thread (a harvest of a few feeds) finish() indexes what was queued.
        self._wanted = connection.vendor == "postgresql"
        self._on_thread = on_thread
        self._poked = threading.Event()
        self._finishing = False
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)

    def __enter__(self) -> Indexer:
        if self._wanted and self._on_thread:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def more(self) -> None:
        self._poked.set()

    def finish(self) -> None:
        if not self._wanted or self._finishing:
            return
        self._finishing = True
        self._poked.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._failure is not None:
            log.warning("Indexing on its own thread failed", exc_info=self._failure)
        # What the thread could not see or index (a transaction of this thread's still
        # open, as in a test; its failure) is still queued: index it here.
        index_waiting()

    def _run(self) -> None:
        try:
            while True:
                self._poked.wait()
                self._poked.clear()
                finishing = self._finishing
                index_waiting()
                if finishing:
                    return
        except BaseException as exc:  # noqa: BLE001 - finish() reports it and indexes again
            self._failure = exc
        finally:
            connection.close()
