"""Hub migrations 0011 and 0012 drop the indexes another index serves and, on
PostgreSQL, the key constraints the harvest's commits checked; undoing them puts them
back, on SQLite and on PostgreSQL (the suite runs on each: DATABASE_URL chooses). A
transactional test, as the schema really changes; the database is migrated to the
latest again afterwards, whatever the test did."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonground.hub import search
from commonground.hub.models import Carriage, Item, ItemTheme

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hub", "0010_relating_without_key_checks")]


def _indexes(model: type) -> set[tuple[tuple[str, ...], bool]]:
    """Each index of ``model``'s table as (its columns, whether it is unique)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        (tuple(info["columns"]), bool(info["unique"]))
        for name, info in found.items()
        if (info["index"] or info["unique"])
        and not info["primary_key"]
        and not name.endswith("_like")
    }


def _like_indexes() -> list[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Item._meta.db_table)
    return [name for name in found if name.endswith("_like")]


@pytest.fixture
def migrate_back(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_single_column_indexes_go_and_come_back(migrate_back: MigrationExecutor) -> None:
    gone = [
        (Item, ("published_at",)),
        (Item, ("thread_id",)),
        (Carriage, ("source_id",)),
        (ItemTheme, ("item_id",)),
    ]
    # What serves each instead stays.
    kept = [
        (Item, ("published_at", "id")),
        (Item, ("thread_id",)),  # the unique index of the items that have a thread
        (Carriage, ("source_id", "entry_key")),
        (ItemTheme, ("item_id", "theme_id")),
    ]
    for model, columns in gone:
        assert (columns, False) not in _indexes(model), (model, columns)
    for model, columns in kept:
        assert any(found == columns for found, _ in _indexes(model)), (model, columns)
    assert not _like_indexes()

    migrate_back.migrate(BEFORE)
    for model, columns in gone:
        assert (columns, False) in _indexes(model), (model, columns)
    if connection.vendor == "postgresql":
        assert _like_indexes()

    migrate_back.loader.build_graph()
    migrate_back.migrate(migrate_back.loader.graph.leaf_nodes())
    for model, columns in gone:
        assert (columns, False) not in _indexes(model), (model, columns)
    assert not _like_indexes()


def test_search_is_kept_through_it(migrate_back: MigrationExecutor) -> None:
    """On SQLite, altering an item field would copy the table and lose the search
    triggers: the migration drops indexes by name instead."""
    migrate_back.migrate(BEFORE)
    migrate_back.loader.build_graph()
    migrate_back.migrate(migrate_back.loader.graph.leaf_nodes())
    Item.objects.create(
        link_key="k1",
        link="https://hub.example/1",
        title="Lending tools to the allotment society",
        text="The library lends tools.",
        published_at="2026-01-05T10:00:00Z",
        content_hash="h1",
    )
    assert search.search("allotment").total == 1


def _keys(model: type) -> set[str]:
    """The columns of ``model``'s table that have a foreign key constraint."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {info["columns"][0] for info in found.values() if info["foreign_key"]}


def test_harvest_tables_keep_no_key_constraints_on_postgresql(
    migrate_back: MigrationExecutor,
) -> None:
    """Hub 0012: on PostgreSQL the carriages', themes' and queue's keys to items, hubs
    and themes are not checked at commit; undone, the constraints come back. SQLite's
    tables are left as they were."""
    checked = {Carriage: {"item_id", "source_id"}, ItemTheme: {"item_id", "theme_id"}}
    for model, columns in checked.items():
        if connection.vendor == "postgresql":
            assert not columns & _keys(model), model
        else:
            assert columns <= _keys(model), model
    assert "added_by_id" in _keys(ItemTheme)  # who added a theme by hand: still checked

    migrate_back.migrate([("hub", "0011_fewer_indexes")])
    for model, columns in checked.items():
        assert columns <= _keys(model), model
