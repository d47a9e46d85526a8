"""The rows a harvest writes beside each item keep no foreign key constraints on
PostgreSQL (issue 18), as postings and relations do since 0010.

A cold harvest of 1,000 hubs writes 48,000 items with a carriage, a place in
the relating queue and two or three themes each, and PostgreSQL checks every
one of those rows' keys when the transaction commits: a tenth of the
database's time in the harvest (measured with perf on the server). The rows
are written only by hub/harvest.py and by Django, for items it has just
stored or looked up, and Django's cascade takes them with a deleted item,
hub or theme (nothing deletes those in SQL of its own). On SQLite a key is
checked as the row goes in, an index probe, and dropping the constraint would
copy the tables: the database is left as it is and only the models say so.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from commonground.lib import schema

# (model, field) whose constraint goes.
KEYS = [
    ("carriage", "item"),
    ("carriage", "source"),
    ("itemtheme", "item"),
    ("itemtheme", "theme"),
    ("waiting", "item"),
]


def _key(to: str, **options: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        db_constraint=False, on_delete=django.db.models.deletion.CASCADE, to=to, **options
    )


class Migration(migrations.Migration):
    dependencies = [("hub", "0011_fewer_indexes")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[schema.key_constraints_dropped("hub", KEYS)],
            state_operations=[
                migrations.AlterField(
                    "carriage", "item", _key("hub.item", related_name="carriages")
                ),
                migrations.AlterField(
                    "carriage",
                    "source",
                    _key("hub.source", related_name="carriages", db_index=False),
                ),
                migrations.AlterField("itemtheme", "item", _key("hub.item", db_index=False)),
                migrations.AlterField("itemtheme", "theme", _key("hub.theme")),
                migrations.AlterField(
                    "waiting",
                    "item",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="hub.item",
                    ),
                ),
            ],
        )
    ]
