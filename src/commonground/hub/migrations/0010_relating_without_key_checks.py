"""Postings and relations keep no foreign key constraints in the database (issue 18).

Relating writes tens of thousands of postings and relations a batch, and
PostgreSQL checks each row's keys at commit: a third of a batch's time in a
commons of a million items. The rows are written only by hub/relate.py, from
rows it has just read, and Django's cascade still takes them with a deleted
item, word or sector. On SQLite a key is checked as the row goes in, an index
probe too cheap to measure, and dropping a constraint there means copying the
whole table (millions of rows) more than once: the database is left as it is
and only the models say so.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from commonground.lib import schema

# (model, field) whose constraint goes.
KEYS = [
    ("posting", "item"),
    ("posting", "sector"),
    ("posting", "term"),
    ("relation", "item"),
    ("relation", "related"),
]


def _key(to: str, **options: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        db_constraint=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to=to,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [("hub", "0009_item_texts_lz4")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[schema.key_constraints_dropped("hub", KEYS)],
            state_operations=[
                migrations.AlterField("posting", "item", _key("hub.item")),
                migrations.AlterField("posting", "sector", _key("hub.sector", db_index=False)),
                migrations.AlterField("posting", "term", _key("hub.term", db_index=False)),
                migrations.AlterField(
                    "relation",
                    "item",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations",
                        to="hub.item",
                    ),
                ),
                migrations.AlterField("relation", "related", _key("hub.item")),
            ],
        )
    ]
