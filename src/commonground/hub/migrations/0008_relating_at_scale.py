"""Relating moves to tables of its own (hub/relate.py): a queue, fingerprints, key words.

Every item waits to be related again, which files its key words; until it is,
its old story and related items stay as they were. On SQLite, dropping the
item's old columns rebuilds its table, which drops the search index's triggers:
they are made again at the end (the index itself is kept, by item id).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from commonground.hub import search


def queue_every_item(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("INSERT INTO hub_waiting (item_id) SELECT id FROM hub_item")


def search_triggers_again(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in search.SQLITE_UNINSTALL[:3] + search.SQLITE_INSTALL[1:]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0007_comments_in_conversations"),
    ]

    operations = [
        migrations.CreateModel(
            name="Term",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=64, unique=True)),
                ("items", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Waiting",
            fields=[
                (
                    "item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="hub.item",
                    ),
                ),
            ],
        ),
        # Backwards, the old columns come back by rebuilding the table again: triggers again.
        migrations.RunPython(queue_every_item, search_triggers_again, elidable=False),
        migrations.RemoveField(
            model_name="item",
            name="band0",
        ),
        migrations.RemoveField(
            model_name="item",
            name="band1",
        ),
        migrations.RemoveField(
            model_name="item",
            name="band2",
        ),
        migrations.RemoveField(
            model_name="item",
            name="band3",
        ),
        migrations.RemoveField(
            model_name="item",
            name="fingerprint",
        ),
        migrations.RemoveField(
            model_name="item",
            name="related_at",
        ),
        migrations.CreateModel(
            name="Fingerprint",
            fields=[
                (
                    "item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="hub.item",
                    ),
                ),
                ("value", models.BigIntegerField(null=True)),
                ("band0", models.PositiveIntegerField(null=True)),
                ("band1", models.PositiveIntegerField(null=True)),
                ("band2", models.PositiveIntegerField(null=True)),
                ("band3", models.PositiveIntegerField(null=True)),
                ("words", models.TextField(blank=True, default="")),
            ],
            options={
                "indexes": [
                    models.Index(fields=["band0", "value", "item"], name="hub_print_band0"),
                    models.Index(fields=["band1", "value", "item"], name="hub_print_band1"),
                    models.Index(fields=["band2", "value", "item"], name="hub_print_band2"),
                    models.Index(fields=["band3", "value", "item"], name="hub_print_band3"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Posting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="hub.item"
                    ),
                ),
                (
                    "sector",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hub.sector",
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hub.term",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["term", "item", "sector"], name="hub_posting_lookup")
                ],
            },
        ),
        migrations.RunPython(search_triggers_again, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="relation",
            name="item",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="relations",
                to="hub.item",
            ),
        ),
    ]
