"""A big binary value (an uploaded file kept for a later step) into and out of one row.

Through the ORM, PostgreSQL costs many times the value's size in memory: Django binds
parameters on the client, so psycopg spells the bytes out in hexadecimal inside the
statement's text and copies that text on its way out (a 6 MB file took 46 MB to store
and 11 MB to read back). Here PostgreSQL gets them as a binary parameter and gives them
back in binary, as they are (6 MB each way). SQLite binds them as they are already.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def blob_write(table: str, column: str, pk: int, data: bytes) -> None:
    """Set ``column`` of row ``pk`` of ``table`` (our own names, never a person's) to ``data``."""
    if connection.vendor == "postgresql":
        # %b: psycopg sends the value as binary, not as text.
        sql = f"UPDATE {table} SET {column} = %b WHERE id = %s"  # noqa: S608 - our own names
        with _server_bound() as cursor:
            cursor.execute(sql, [data, pk])
        return
    sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.execute(sql, [data, pk])


def blob_read(table: str, column: str, pk: int) -> bytes:
    """``column`` of row ``pk`` of ``table``; empty if there is no such row."""
    sql = f"SELECT {column} FROM {table} WHERE id = %s"  # noqa: S608 - our own names
    row: Any
    if connection.vendor == "postgresql":
        with _server_bound() as cursor:
            cursor.execute(sql, [pk], binary=True)
            row = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
    if row is None or row[0] is None:
        return b""
    return row[0] if isinstance(row[0], bytes) else bytes(row[0])


def _server_bound() -> psycopg.Cursor[Any]:
    """A psycopg cursor that binds on the server, on Django's own connection (so inside its
    transaction); Django's cursors bind on the client."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)
