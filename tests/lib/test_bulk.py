"""Many rows in a few statements: what goes in, what comes back and what a clash does,
on whichever database the tests run on (SQLite's statements go straight to its own
cursor, so their errors must still be Django's)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from commonground.hub.models import Term
from commonground.lib import bulk

TERMS: bulk.Columns = ("hub_term", {"word": "text", "items": "integer"})

pytestmark = pytest.mark.django_db


def test_insert_new_skips_clashes_and_returns_what_it_inserted() -> None:
    Term.objects.create(word="grant", items=3)
    with connection.cursor() as cursor:
        returned = bulk.insert_new(
            cursor, TERMS, [("grant", 9), ("survey", 1), ("museum", 2)], returning="word"
        )
    assert dict(Term.objects.values_list("word", "items")) == {
        "grant": 3,
        "survey": 1,
        "museum": 2,
    }
    if connection.features.can_return_rows_from_bulk_insert:
        assert sorted(returned) == [("museum",), ("survey",)]


def test_rows_beyond_one_statement_all_go_in_and_all_are_found() -> None:
    words = [f"word{n:05d}" for n in range(2_345)]  # several statements' worth on SQLite
    with connection.cursor() as cursor:
        bulk.insert_new(cursor, TERMS, [(w, n) for n, w in enumerate(words)])
        found = bulk.select_in(
            cursor, "SELECT word, items FROM hub_term WHERE items >= %s AND word", words, [10]
        )
    assert sorted(found) == [(w, n) for n, w in enumerate(words) if n >= 10]


def test_a_clash_when_copying_in_is_djangos_integrity_error_and_undoes_the_statement() -> None:
    Term.objects.create(word="grant")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        bulk.copy_in(cursor, TERMS, [("survey", 1), ("grant", 2)])
    assert list(Term.objects.values_list("word", flat=True)) == ["grant"]


def test_deleting_reads_nothing_back() -> None:
    Term.objects.bulk_create([Term(word=w) for w in ("a", "b", "c")])
    with connection.cursor() as cursor:
        assert (
            bulk.select_in(cursor, "DELETE FROM hub_term WHERE word", ["a", "c"], rows=False) == []
        )
    assert list(Term.objects.values_list("word", flat=True)) == ["b"]
