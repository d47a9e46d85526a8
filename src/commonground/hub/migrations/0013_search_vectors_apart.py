"""On PostgreSQL, items' search vectors move to a table of their own, kept by
triggers, so that a harvest can have them computed beside its storing (issue 18).

Computing an item's vector (its text parsed, every word stemmed) was four
tenths of the database's time in a cold harvest, all of it on the one
connection that stores, while the machine's other core waited. Now a harvest
queues its items (``hub_unsearched``) and a second connection computes their
vectors as it goes; anything else that stores or changes an item has its
vector computed at once, as before. The vectors of the items already stored
are computed here: a minute or so per 100,000 items. Nothing changes on SQLite
(its FTS5 index is a table of its own already).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from commonground.hub import search


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("hub", "0012_harvest_without_key_checks")]
    operations = [
        migrations.RunPython(
            _run(search.SEARCH_TABLE_INSTALL),
            _run(search.SEARCH_TABLE_UNINSTALL),
            elidable=False,
        )
    ]
