"""Drop indexes that another index already serves (issue 18).

Every index on a table the harvest fills is one more write for each row it
stores: a cold harvest of 1,000 hubs writes 48,000 items, carriages and
themes. Each index dropped here is the first column(s) of another, which the
same queries use instead:

- an item's ``published_at``: ``hub_item_recent`` (published_at, id);
- an item's ``thread``: the unique ``hub_item_one_thread`` (a thread's items are
  found by ``thread_id = ...``, which only the index of non-empty threads holds);
- an item's ``link_key`` on PostgreSQL, the pattern-matching copy Django adds to a
  unique text column: nothing matches link keys by pattern;
- a carriage's ``source``: ``hub_carriage_once`` (source, entry_key);
- an item's themes by ``item``: ``hub_itemtheme_once`` (item, theme).

Indexes are dropped by name, found by their columns: on SQLite an altered
field would copy the whole table, and with ``hub_item`` its search triggers.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model, field) whose index of its own goes.
INDEXED = [
    ("item", "published_at"),
    ("item", "thread"),
    ("carriage", "source"),
    ("itemtheme", "item"),
]


def _indexes(keep: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        postgres = schema_editor.connection.vendor == "postgresql"
        for model_name, field_name in INDEXED:
            model = apps.get_model("hub", model_name)
            field = model._meta.get_field(field_name)
            if keep:
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
                continue
            # The index on this one column alone, not a unique one (the thread's is).
            for name in schema_editor._constraint_names(
                model, [field.column], index=True, unique=False
            ):
                schema_editor.execute(schema_editor._delete_index_sql(model, name))
        if not postgres:
            return
        item = apps.get_model("hub", "item")
        link_key = item._meta.get_field("link_key")
        if keep:
            schema_editor.execute(schema_editor._create_like_index_sql(item, link_key))
            return
        for name in schema_editor._constraint_names(item, [link_key.column], index=True):
            if name.endswith("_like"):
                schema_editor.execute(schema_editor._delete_index_sql(item, name))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("hub", "0010_relating_without_key_checks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_indexes(keep=False), _indexes(keep=True))],
            state_operations=[
                migrations.AlterField("item", "published_at", models.DateTimeField()),
                migrations.AlterField(
                    "item",
                    "thread",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="hub_items",
                        to="conversations.thread",
                    ),
                ),
                migrations.AlterField(
                    "carriage",
                    "source",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="carriages",
                        to="hub.source",
                    ),
                ),
                migrations.AlterField(
                    "itemtheme",
                    "item",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="hub.item",
                    ),
                ),
            ],
        )
    ]
