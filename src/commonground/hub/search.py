"""Full-text search over items: SQLite FTS5 embedded, PostgreSQL full-text search in production.

The whole of search is this module. The index is kept by the database
itself, so it is current the moment an item is stored, with no manual step:

- SQLite: an FTS5 table over ``hub_item``'s title and text (external
  content) kept in step by triggers on insert, update and delete.
- PostgreSQL: a generated ``search_vector`` column on ``hub_item`` with a
  GIN index (title weighted above text).

``install_sql`` gives the migration its statements; :func:`search` is the
one way to query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_MARK_ON, _MARK_OFF = "\x02", "\x03"
MAX_COUNTED = 10_000

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
    # True when there were more than MAX_COUNTED matches and counting stopped.
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
    # Each word or phrase quoted: nothing the user types is FTS5 syntax.
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def _filters_sql(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.source:
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_carriage c WHERE c.item_id = i.id AND c.source_id = %s)"
        )
        params.append(filters.source)
    if filters.sector:
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_carriage c JOIN hub_source_sectors ss "
            "ON ss.source_id = c.source_id WHERE c.item_id = i.id AND ss.sector_id = %s)"
        )
        params.append(filters.sector)
    if filters.theme:
        clauses.append(
            "EXISTS (SELECT 1 FROM hub_itemtheme t WHERE t.item_id = i.id AND t.theme_id = %s)"
        )
        params.append(filters.theme)
    if filters.since:
        clauses.append("i.published_at >= %s")
        params.append(_day_start(filters.since))
    if filters.until:
        clauses.append("i.published_at < %s")
        params.append(_day_start(filters.until + timedelta(days=1)))
    return "".join(f" AND {c}" for c in clauses), params


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _snippet(raw: str | None) -> SafeString:
    text = escape(raw or "")
    return mark_safe(text.replace(_MARK_ON, "<mark>").replace(_MARK_OFF, "</mark>"))  # noqa: S308 - escaped above


def search(
    query: str, *, filters: Filters | None = None, offset: int = 0, limit: int = 20
) -> Results:
    """Items matching every word of ``query``, best first, with highlighted snippets."""
    words = terms(query)
    if not words:
        return Results()
    filters = filters or Filters()
    where, params = _filters_sql(filters)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = _fts5_query(words)
            base = (
                "FROM hub_item_fts JOIN hub_item i ON i.id = hub_item_fts.rowid "
                f"WHERE hub_item_fts MATCH %s{where}"
            )
            cursor.execute(
                f"SELECT i.id, snippet(hub_item_fts, 1, %s, %s, '…', 30) {base} "  # noqa: S608 - fixed SQL
                "ORDER BY bm25(hub_item_fts, 8.0, 1.0), i.published_at DESC LIMIT %s OFFSET %s",
                [_MARK_ON, _MARK_OFF, match, *params, limit, offset],
            )
            rows = cursor.fetchall()
            count_params: list[Any] = [match, *params]
        else:
            tsquery = " & ".join(
                "(" + " <-> ".join(f"'{part}'" for part in re.findall(r"\w+", w)) + ")"
                for w in words
                if re.findall(r"\w+", w)
            )
            base = f"FROM hub_item i, to_tsquery('english', %s) q WHERE i.search_vector @@ q{where}"
            cursor.execute(
                "SELECT page.id, ts_headline('english', left(page.text, 5000), "  # noqa: S608 - fixed SQL
                "to_tsquery('english', %s), %s) FROM ("
                "SELECT i.id, i.text, ts_rank_cd(i.search_vector, q) AS rank, i.published_at "
                f"{base} "
                "ORDER BY rank DESC, i.published_at DESC LIMIT %s OFFSET %s) page "
                "ORDER BY page.rank DESC, page.published_at DESC",
                [
                    tsquery,
                    f"StartSel={_MARK_ON}, StopSel={_MARK_OFF}, MaxWords=35, MinWords=15",
                    tsquery,
                    *params,
                    limit,
                    offset,
                ],
            )
            rows = cursor.fetchall()
            count_params = [tsquery, *params]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {MAX_COUNTED + 1}) counted",  # noqa: S608
            count_params,
        )
        (total,) = cursor.fetchone() or (0,)
    return Results(
        hits=[Hit(id=row[0], snippet=_snippet(row[1])) for row in rows],
        total=min(total, MAX_COUNTED),
        more=total > MAX_COUNTED,
    )


def similar(
    words: list[str], *, exclude_item: int, exclude_sectors: list[int], limit: int = 5
) -> list[tuple[int, float]]:
    """Items that share the most of ``words`` (any of them) and come from a sector outside
    ``exclude_sectors``; ``(id, score)``, higher scores closer."""
    words = [w for w in words if re.fullmatch(r"\w+", w)]
    if not words:
        return []
    # Only placeholders are formatted in; the values go as parameters.
    outside = (
        f" AND ss.sector_id NOT IN ({', '.join(['%s'] * len(exclude_sectors))})"
        if exclude_sectors
        else ""
    )
    other_sector = (
        "EXISTS (SELECT 1 FROM hub_carriage c JOIN hub_source_sectors ss "  # noqa: S608
        f"ON ss.source_id = c.source_id WHERE c.item_id = i.id{outside})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT i.id, -bm25(hub_item_fts, 4.0, 1.0) FROM hub_item_fts "  # noqa: S608
                "JOIN hub_item i ON i.id = hub_item_fts.rowid "
                f"WHERE hub_item_fts MATCH %s AND i.id != %s AND {other_sector} "
                "ORDER BY bm25(hub_item_fts, 4.0, 1.0) LIMIT %s",
                [" OR ".join(f'"{w}"' for w in words), exclude_item, *exclude_sectors, limit],
            )
        else:
            cursor.execute(
                "SELECT i.id, ts_rank_cd(i.search_vector, q) AS rank "  # noqa: S608
                "FROM hub_item i, to_tsquery('english', %s) q "
                f"WHERE i.search_vector @@ q AND i.id != %s AND {other_sector} "
                "ORDER BY rank DESC LIMIT %s",
                [" | ".join(f"'{w}'" for w in words), exclude_item, *exclude_sectors, limit],
            )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
