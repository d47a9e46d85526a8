"""Many rows into a table in a few statements, on SQLite and on PostgreSQL.

Never a statement per row: each costs a round trip, and on SQLite a search
index trigger writes out its pending words at the end of every statement.
SQLite gets many rows per statement; PostgreSQL gets one array per column
(``unnest``) to look rows up, and the rows to insert as one JSON document, so
the statement's text stays short (psycopg would read every placeholder of a
long one in Python).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection

# A table and its columns, each with its PostgreSQL type: ("hub_item", {"title": "text"}).
Columns = tuple[str, dict[str, str]]


def per_statement(width: int) -> int:
    """How many rows of ``width`` values one SQLite statement may carry."""
    return min(500, (connection.features.max_query_params or 65535) // width)


def select_in(
    cursor: Any,
    query: str,
    values: Iterable[Any],
    before: Sequence[Any] = (),
    *,
    after: str = "",
    rows: bool = True,
) -> list[tuple[Any, ...]]:
    """Rows of ``query`` + `` IN (values)`` + ``after``; on PostgreSQL, one array instead of
    a list. With ``rows=False`` (a DELETE or an UPDATE), nothing is read back.

    On SQLite the values go in chunks, so ``after`` must not need them all at once (a
    GROUP BY on a column the chunks do not split is fine)."""
    values = list(values)
    if connection.vendor == "postgresql":
        cursor.execute(f"{query} = ANY(%s){after}", [*before, values])
        return cast(list[tuple[Any, ...]], cursor.fetchall()) if rows else []
    found: list[tuple[Any, ...]] = []
    step = per_statement(1) - len(before)
    query = query.replace("%s", "?")
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        _sqlite_execute(
            cursor, f"{query} IN ({', '.join('?' * len(chunk))}){after}", [*before, *chunk]
        )
        if rows:
            found.extend(cursor.fetchall())
    return found


def insert_new(
    cursor: Any, columns: Columns, rows: list[tuple[Any, ...]], returning: str = ""
) -> list[tuple[Any, ...]]:
    """Insert ``rows``, skipping any that clash with a unique key; returns the
    ``returning`` columns of the rows inserted, where the database can.

    Values are text, numbers, booleans, ``None``, dates and times."""
    if not rows:
        return []
    table, types = columns
    returning = returning if connection.features.can_return_rows_from_bulk_insert else ""
    tail = " ON CONFLICT DO NOTHING" + (f" RETURNING {returning}" if returning else "")
    into = f"INSERT INTO {table} ({', '.join(types)}) "
    if connection.vendor == "postgresql":
        # The rows as one JSON document, bound on the server: a list's every value would be
        # quoted in Python (a regular expression per string) and lexed again by PostgreSQL
        # as a literal in the statement's text, which for a feed's worth of long texts
        # costs more than storing them; json.dumps writes them all in C.
        spec = ", ".join(f"{name} {kind}" for name, kind in types.items())
        document = json.dumps(
            [dict(zip(types, row, strict=True)) for row in rows], ensure_ascii=False, default=str
        )
        sql = f"{into}SELECT * FROM json_to_recordset(%s::json) AS r({spec}){tail}"  # noqa: S608 - placeholders only
        return _bound_on_server(cursor, sql, [document], rows=bool(returning))
    return _sqlite_insert(cursor, into, len(types), rows, tail, returned=bool(returning))


def _sqlite_insert(
    cursor: Any, into: str, width: int, rows: list[tuple[Any, ...]], tail: str, *, returned: bool
) -> list[tuple[Any, ...]]:
    """``rows`` in as many rows per statement as SQLite takes (``into`` is "INSERT INTO
    table (columns) "); the rows each statement returns, if ``returned``."""
    found: list[tuple[Any, ...]] = []
    one = f"({', '.join('?' * width)})"
    step = per_statement(width)
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        values = ", ".join([one] * len(chunk))
        _sqlite_execute(cursor, f"{into}VALUES {values}{tail}", [v for row in chunk for v in row])
        if returned:
            found.extend(cursor.fetchall())
    return found


def _sqlite_execute(cursor: Any, sql: str, params: list[Any]) -> None:
    """Run ``sql``, with SQLite's own "?" placeholders, on SQLite's own cursor.

    Django's cursor would first rewrite every "%s" of the statement as "?" with a
    regular expression: about 70 µs for a statement of a feed's 50 items, of which a
    harvest runs several a feed. Values are adapted as ever (by the adapters Django
    registers with sqlite3); like ``COPY``, it goes around Django's execute wrappers,
    and errors are Django's as ever."""
    with connection.wrap_database_errors:
        sqlite3.Cursor.execute(cursor.cursor, sql, params)


def new_ids(cursor: Any, table: str, count: int) -> list[int]:
    """``count`` ids from the sequence of ``table``'s ``id`` column (PostgreSQL), for rows
    to be copied in (``COPY`` returns none)."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _bound_on_server(
    cursor: Any, sql: str, params: list[Any], *, rows: bool
) -> list[tuple[Any, ...]]:
    """Run ``sql`` on PostgreSQL with its values sent apart from it, not quoted into its text
    (Django's cursors quote on the client). Like ``COPY``, it goes around Django's
    execute wrappers; errors are Django's as ever."""
    import psycopg

    with connection.wrap_database_errors, psycopg.Cursor(cursor.cursor.connection) as raw:
        raw.execute(sql, params)
        return cast(list[tuple[Any, ...]], raw.fetchall()) if rows else []


def copy_in(cursor: Any, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
    """Add ``rows``, all new (no unique key can clash): PostgreSQL's ``COPY``, which skips
    the per-statement work of ``INSERT`` entirely; many rows per ``INSERT`` elsewhere."""
    if not rows:
        return
    table, types = columns
    if connection.vendor == "postgresql":
        names = ", ".join(types)
        with (
            connection.wrap_database_errors,  # a clash is Django's IntegrityError, as ever
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    into = f"INSERT INTO {table} ({', '.join(types)}) "  # noqa: S608 - our own names
    _sqlite_insert(cursor, into, len(types), rows, "", returned=False)


def commit_without_waiting() -> None:
    """On PostgreSQL, let this transaction's commit return before its log is on disk.

    A commit waits for a disk flush, and a bulk transaction's commit writes megabytes of
    log. Only for work that is safe to lose and do again: a crash of the database server
    can lose the last moments of committed transactions (never part of one), so the
    caller must leave behind, in the same transaction, what makes the work be done again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
