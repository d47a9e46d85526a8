"""On PostgreSQL, an item's texts are compressed with LZ4 rather than pglz (issue 18).

PostgreSQL compresses every item's HTML and text as it stores them; in a cold
harvest pglz took about a tenth of the database's time, LZ4 a fraction of that,
for texts some ten per cent bigger. Items stored before keep their compression
until they change (both read alike). Nothing changes on SQLite, or on a
PostgreSQL built without LZ4.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = ("content", "text", "search_vector")


def _compress_with(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )
            if cursor.fetchone() is None:
                return
        changes = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
        schema_editor.execute(f"ALTER TABLE hub_item {changes}")

    return run


class Migration(migrations.Migration):
    dependencies = [("hub", "0008_relating_at_scale")]
    operations = [
        migrations.RunPython(_compress_with("lz4"), _compress_with("default"), elidable=False)
    ]
