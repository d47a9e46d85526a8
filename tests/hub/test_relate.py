"""Relating items: the same story under other links, and related items from other sectors.

Items are written straight into a small commons of hubs in three sectors, on
three subjects each told in its own words, then related as a harvest would.
"""

from __future__ import annotations

import io
import random
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from commonground.hub import relate, selectors, services
from commonground.hub.models import (
    Carriage,
    Fingerprint,
    Item,
    Posting,
    Relation,
    Sector,
    Source,
    Term,
    Waiting,
)
from tests.hub.fixtures import watch_helpers

SUBJECTS = {
    "repair": "repair cafe toaster kettle bicycle puncture mending sewing solder fixers",
    "memory": "oral history recording interview memories transcript elders cassette dialect",
    "allotment": "allotment compost seedlings harvest beans greenhouse plots gardeners soil",
}
FILLER = "the group met again this month with residents and staff in the hall to talk".split()


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - the same test data every run, not a secret


def _text(subject: str, rng: random.Random, length: int = 60) -> str:
    words = SUBJECTS[subject].split()
    return " ".join(rng.choice(words if rng.random() < 0.4 else FILLER) for _ in range(length))


@pytest.fixture
def hubs(db: None) -> dict[str, Source]:
    """One hub in each of three sectors."""
    made = {}
    for slug in ("libraries", "health", "housing"):
        sector, _ = Sector.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
        made[slug] = services.source_add(
            feed_url=f"https://{slug}.example/feed", by=None, sectors=[sector], check_now=False
        )
    return made


def store(source: Source, title: str, text: str, n: list[int] = [0]) -> Item:  # noqa: B006
    """An item as a harvest leaves it: carried by ``source`` and waiting to be related."""
    n[0] += 1
    now = timezone.now()
    item = Item.objects.create(
        link_key=f"key{n[0]}",
        link=f"https://{source.host or 'hub.example'}/{n[0]}",
        title=title,
        text=text,
        published_at=now - timedelta(minutes=n[0]),
    )
    Carriage.objects.create(item=item, source=source, entry_key=f"e{n[0]}", published_at=now)
    Waiting.objects.create(item=item)
    return item


def subject_of(item: Item) -> str:
    return item.title.split()[0]


@pytest.fixture
def commons(hubs: dict[str, Source]) -> list[Item]:
    """Five items on each subject from each hub, related."""
    rng = seeded(4)
    items = [
        store(source, f"{subject} news {i}", _text(subject, rng))
        for i in range(5)
        for subject in SUBJECTS
        for source in hubs.values()
    ]
    relate.relate_waiting()
    return items


def sectors_of(item: Item) -> set[int]:
    return set(item.sources.values_list("sectors", flat=True))


def test_related_items_share_the_subject_and_come_from_another_sector(
    commons: list[Item],
) -> None:
    assert not Waiting.objects.exists()
    for item in commons:
        related = [r.related for r in Relation.objects.filter(item=item)]
        assert len(related) == relate.RELATED, item
        for other in related:
            assert subject_of(other) == subject_of(item), (item, other)
            assert not sectors_of(other) <= sectors_of(item), (item, other)
        # The item page and the API read them through the one selector.
        found = selectors.item_neighbours(item=item)
        assert {i.pk for i in found.related} <= {i.pk for i in related}


def test_the_same_story_under_other_links_is_one_story(hubs: dict[str, Source]) -> None:
    rng = seeded(7)
    body = _text("memory", rng, 120)
    first = store(hubs["libraries"], "Voices of the valley", body)
    relate.relate_waiting()
    # Passed on by two other hubs under their own titles and links; one adds a line.
    again = store(hubs["health"], "Shared: voices of the valley", body)
    later = store(hubs["housing"], "Valley voices", body + " With thanks to the archive.")
    other = store(hubs["housing"], "Another story", _text("memory", rng, 120))
    relate.relate_waiting()
    for item in (again, later):
        item.refresh_from_db()
        assert item.story_id == first.pk
    other.refresh_from_db()
    assert other.story_id is None
    first.refresh_from_db()
    assert first.story_id is None  # the first telling is the story
    found = selectors.item_neighbours(item=again)
    assert {i.pk for i in found.same_story} == {first.pk, later.pk}
    # Its own story's other tellings are not also shown as related items.
    for item in (first, again, later):
        related = set(Relation.objects.filter(item=item).values_list("related", flat=True))
        assert not related & {first.pk, again.pk, later.pk}, item


def test_retellings_in_one_batch_find_each_other(hubs: dict[str, Source]) -> None:
    body = _text("repair", seeded(2), 100)
    items = [store(source, f"Repair day {n}", body) for n, source in enumerate(hubs.values())]
    relate.relate_waiting()
    stories = {Item.objects.get(pk=i.pk).story_id for i in items[1:]}
    assert stories == {items[0].pk}


def test_relating_again_replaces_what_was_filed_and_keeps_word_counts_true(
    commons: list[Item],
) -> None:
    item = commons[0]
    before = set(Posting.objects.filter(item=item).values_list("term__word", flat=True))
    Item.objects.filter(pk=item.pk).update(
        title="allotment plots", text=_text("allotment", seeded(9))
    )
    relate.requeue(item_ids=[item.pk])
    relate.relate_waiting()
    after = set(Posting.objects.filter(item=item).values_list("term__word", flat=True))
    assert after != before and after & set(SUBJECTS["allotment"].split())
    assert not after & set(SUBJECTS["repair"].split())
    assert Fingerprint.objects.filter(item=item).count() == 1
    assert {subject_of(r.related) for r in Relation.objects.filter(item=item)} == {"allotment"}
    # Every word's count is the number of items with it among their key words, after
    # the change too.
    words = Fingerprint.objects.values_list("words", flat=True)
    counted = Counter(word for listed in words for word in listed.split())
    for term in Term.objects.all():
        assert term.items == counted[term.word], term


def test_a_hub_moved_to_another_sector_has_its_items_related_again(
    commons: list[Item], hubs: dict[str, Source]
) -> None:
    moved = hubs["libraries"]
    health = Sector.objects.get(slug="health")
    services.source_update(
        source=moved, title=moved.title, site_url="", description="", sectors=[health], active=True
    )
    assert selectors.items_waiting(source=moved) == moved.items.count() == 15
    assert selectors.items_waiting(source=hubs["housing"]) == 0
    relate.relate_waiting()
    for item in moved.items.all():
        for other in Relation.objects.filter(item=item):
            assert "https://health.example/feed" not in {
                s.feed_url for s in other.related.sources.all()
            }


def test_an_item_too_short_to_fingerprint_is_still_related(hubs: dict[str, Source]) -> None:
    rng = seeded(5)
    for source in hubs.values():
        for n in range(3):
            store(source, f"repair note {n}", _text("repair", rng, 40))
    short = store(hubs["libraries"], "repair cafe kettle", "Bring a kettle to the repair cafe.")
    relate.relate_waiting()
    assert Fingerprint.objects.get(item=short).value is None
    related = [r.related for r in Relation.objects.filter(item=short)]
    assert related and {subject_of(i) for i in related} == {"repair"}


def test_the_source_page_and_the_cli_say_how_many_items_wait(
    commons: list[Item], hubs: dict[str, Source], client: object
) -> None:
    source = hubs["health"]
    relate.requeue(item_ids=source.items.values_list("pk", flat=True)[:4])
    page = client.get(source.get_absolute_url()).content.decode()  # type: ignore[attr-defined]
    assert "Still being related" in page and "4 items:" in page
    out = io.StringIO()
    call_command("hub", "relate", "--waiting", stdout=out)
    assert out.getvalue() == "4 items waiting to be related.\n"
    out = io.StringIO()
    call_command("hub", "relate", stdout=out)
    assert out.getvalue().startswith("4 items related in ")
    assert out.getvalue().endswith("0 items waiting to be related.\n")
    page = client.get(source.get_absolute_url()).content.decode()  # type: ignore[attr-defined]
    assert "Still being related" not in page


@pytest.mark.django_db(transaction=True)
def test_two_workers_take_different_batches(hubs: dict[str, Source], db_vendor: str) -> None:
    rng = seeded(6)
    items = [
        store(source, f"{subject} {n}", _text(subject, rng))
        for n in range(4)
        for subject in SUBJECTS
        for source in hubs.values()
    ]
    if db_vendor == "sqlite":  # one writer at a time: a batch is all one worker's
        assert relate.relate_batch(limit=1000) == len(items)
        assert not Waiting.objects.exists()
        return
    held = threading.Event()
    release = threading.Event()
    first: list[int] = []

    def worker() -> None:
        # The first worker claims a batch and holds it, as a slow worker would.
        with transaction.atomic():
            claimed = list(
                Waiting.objects.order_by("item_id")
                .select_for_update(skip_locked=True)
                .values_list("item_id", flat=True)[:10]
            )
            first.extend(claimed)
            held.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert held.wait(10)
        # Meanwhile another worker relates the rest without waiting for the held ten.
        done = relate.relate_batch(limit=1000)
        assert done == len(items) - 10
        assert set(Waiting.objects.values_list("item_id", flat=True)) == set(first)
    finally:
        release.set()
        thread.join()
    assert relate.relate_batch() == 10
    assert not Waiting.objects.exists()


def test_items_of_hubs_in_no_sector_are_related_without_fault(db: None) -> None:
    # Nothing is filed for them (a related item comes from a sector), but their words
    # are counted, and looking those words up finds nothing rather than failing.
    hub = services.source_add(feed_url="https://nowhere.example/feed", by=None, check_now=False)
    rng = seeded(8)
    items = [store(hub, f"repair {n}", _text("repair", rng)) for n in range(5)]
    assert relate.relate_waiting().related == len(items)
    assert not Waiting.objects.exists() and not Relation.objects.exists()
    assert Fingerprint.objects.count() == len(items)


Filed = tuple[
    set[tuple[int, int | None, str]],
    set[tuple[int, int]],
    dict[int, int | None],
    set[tuple[str, int]],
]


def _filed() -> Filed:
    """What relating filed: fingerprints and key words, relations, stories, word counts."""
    return (
        set(Fingerprint.objects.values_list("item_id", "value", "words")),
        set(Relation.objects.values_list("item_id", "related_id")),
        dict(Item.objects.values_list("pk", "story_id")),
        set(Term.objects.values_list("word", "items")),
    )


@pytest.fixture
def by_turns(
    commons: list[Item], hubs: dict[str, Source], monkeypatch: pytest.MonkeyPatch
) -> Filed:
    """A commons related twice without helpers (so relating it again files the same),
    with a story told in two slices; then set for one helper and ten items a slice.
    Returns what was filed."""
    from commonground.lib import processes

    body = _text("memory", seeded(3), 80)
    store(hubs["libraries"], "Told twice", body)
    rng = seeded(13)
    for n in range(10):
        store(hubs["housing"], f"allotment {n}", _text("allotment", rng))
    store(hubs["health"], "Told twice, again", body)
    relate.relate_waiting()
    relate.requeue(item_ids=Item.objects.values_list("pk", flat=True))
    relate.relate_waiting()
    monkeypatch.setattr(processes, "helper_count", lambda configured: 2)  # one for relating
    monkeypatch.setattr(relate, "HELPERS_FROM", 1)
    monkeypatch.setattr(relate, "SCORED_AT_ONCE", 10)
    relate.requeue(item_ids=Item.objects.values_list("pk", flat=True))
    return _filed()


def test_helper_processes_relate_as_this_process_does(
    by_turns: Filed, helper_work: list[tuple[Any, tuple[Any, ...]]]
) -> None:
    relate.relate_waiting()
    # The helper and this process took turns, slice by slice.
    given = [len(args[0]) for _, args in helper_work]
    count = Item.objects.count()
    assert given == [min(10, count - start) for start in range(0, count, 10)][::2]
    assert _filed() == by_turns
    # The two tellings were worked out apart (the first by the helper, the second here)
    # and found each other: the later one joined the earlier one's story.
    first, second = Item.objects.filter(title__startswith="Told twice").order_by("pk")
    ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
    assert ids.index(first.pk) // 10 % 2 == 0 and ids.index(second.pk) // 10 % 2 == 1
    assert by_turns[2][second.pk] == first.pk and by_turns[2][first.pk] is None


def test_relating_goes_on_here_when_a_helper_process_dies(
    by_turns: Filed, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The helper's second slice finds it killed, its first slice already worked out.
    given = watch_helpers(monkeypatch, lambda args, nth: nth == 2)
    assert relate.relate_waiting().related == Item.objects.count()
    assert len(given) >= 2 and "without helper processes" in caplog.text
    assert not Waiting.objects.exists()
    assert _filed() == by_turns  # nothing lost, nothing counted twice


def test_words_are_read_alike_from_ascii_and_other_text() -> None:
    from commonground.hub import similar

    def by_pattern(text: str) -> list[str]:
        return [w for w in similar._WORD.findall(text.lower()) if w not in similar.STOP_WORDS]

    rng = seeded(11)
    alphabet = [chr(c) for c in range(128)] + ["the", "and", "ab", "Zy"] * 8
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert similar.words(text) == by_pattern(text), repr(text)
    # Text that is not ASCII is read by the pattern: letters of any script are letters.
    assert similar.words("Croeso i’r Llyfrgell – Ŵyl y Gân, 2024") == [
        "croeso",
        "llyfrgell",
        "ŵyl",
        "gân",
    ]
    # The Kelvin sign lower-cases to an ASCII "k"; a dotted capital I does not.
    for text in ("A1b2 cd_ef \u212aELVIN", "\u0130STANBUL \u0130i", "stra\u00dfe STRASSE"):
        assert similar.words(text) == by_pattern(text), text
    assert similar.words("\u212aELVIN") == ["kelvin"]
