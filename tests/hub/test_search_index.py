"""The search index stays true to the items, however they are stored (hub/search.py).

On PostgreSQL a harvest has its items' vectors computed later, by an indexer
beside it: items stored in an ``indexed_later`` block are queued, and are
searchable once an Indexer has finished, whether on its thread or after a
crash, by the next one. Anything else that stores, changes or deletes an item
has the index follow at once, on both databases. Transactional tests: the
indexer's thread has a connection of its own, which sees only what committed.
"""

from __future__ import annotations

from itertools import count

import pytest
from django.db import connection, transaction

from commonground.hub import search
from commonground.hub.models import Item

pytestmark = pytest.mark.django_db(transaction=True)

_numbers = count(1)


def _item(title: str, text: str = "") -> Item:
    n = next(_numbers)
    return Item.objects.create(
        link_key=f"key-{n}",
        link=f"https://hub.example/posts/{n}",
        title=title,
        text=text,
        published_at="2026-03-02T09:00:00Z",
        content_hash=f"hash-{n}",
    )


def _found(query: str) -> set[int]:
    return {hit.id for hit in search.search(query).hits}


def _queued() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hub_unsearched")
        return int(cursor.fetchone()[0])


def test_items_stored_for_later_are_searchable_once_the_indexer_finishes() -> None:
    with search.Indexer() as indexer:
        with transaction.atomic(), search.indexed_later():
            transaction.on_commit(indexer.more)
            stored = {_item(f"Seed library swap {n}", "Bring seeds to share.").pk for n in range(3)}
        if connection.vendor == "postgresql":
            # Queued, not yet indexed; or already taken by the indexer's thread.
            assert _queued() + len(_found("seeds")) == 3
        # After the block, the transaction's own writes are indexed at once again.
        with transaction.atomic():
            after = _item("Tool library opening").pk
        assert _found("tool library") == {after}
    assert _found("seeds") == stored
    assert _queued() == 0


def test_what_a_crash_left_queued_is_indexed_by_the_next_indexer() -> None:
    # A harvest that committed its items and then stopped before indexing them.
    with transaction.atomic(), search.indexed_later():
        stored = _item("Repair café volunteers wanted").pk
    if connection.vendor == "postgresql":
        assert _queued() == 1
        assert _found("repair café") == set()
    with search.Indexer(on_thread=False):
        pass
    assert _found("repair café") == {stored}
    assert _queued() == 0


def test_the_next_harvest_indexes_leftovers_even_with_nothing_due() -> None:
    from commonground.hub import services

    with transaction.atomic(), search.indexed_later():
        stored = _item("Library of things: lending sewing machines").pk
    summary = services.harvest_due()
    assert summary.checked == 0
    assert _found("sewing") == {stored}
    assert _queued() == 0


def test_a_change_for_later_is_indexed_again() -> None:
    item = _item("Oral history walk", "Recording memories of the market.")
    assert _found("market") == {item.pk}
    with transaction.atomic(), search.indexed_later():
        Item.objects.filter(pk=item.pk).update(text="Recording memories of the harbour.")
        # A change to neither title nor text queues nothing.
        Item.objects.filter(pk=item.pk).update(author="Archive team")
    assert _queued() == (1 if connection.vendor == "postgresql" else 0)
    with search.Indexer():
        pass
    assert _found("harbour") == {item.pk}
    assert _found("market") == set()


def test_stores_changes_and_deletions_elsewhere_are_followed_at_once() -> None:
    item = _item("Participatory budgeting night", "Residents vote on the park.")
    other = _item("Budgeting for small grants")
    assert _found("budgeting") == {item.pk, other.pk}
    item.title = "Community assembly night"
    item.save()
    assert _found("assembly") == {item.pk}
    assert _found("budgeting") == {other.pk}
    Item.objects.filter(pk=other.pk).delete()
    assert _found("budgeting") == set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT item_id FROM hub_itemsearch")
            assert [row[0] for row in cursor.fetchall()] == [item.pk]
