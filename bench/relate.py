"""Relating benchmark: new items related into a large commons, fast and right.

    uv run python bench/relate.py                     # 10,000 new into 1,000,000, SQLite
    uv run python bench/relate.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/relate.py --commons 100000 --keep   # smaller; keep it for next time

It fills a fresh database with a commons of ``--commons`` items on planted
subjects from 80 hubs in 8 sectors (bench/corpus.py) and relates every one
of them with Common Ground's own code, batch by batch, printing the rate for
each tenth of the commons: the cost per item as the commons grows. Then it
stores ``--new`` items as a harvest would (one in 25 a near-duplicate: the
body of an item already in the commons, passed on by a hub of another sector
under its own title and link) and times relating them all, as
``commonground hub relate`` does.

Quality: "related" is right when the item is on the same subject and from
another sector; precision is the share of the related items found that are
right. Every planted near-duplicate must be in its original's story.

Baseline ("before"): relating as it was until issue 18, on a sample of the
same new items: each item's key words ranked against the whole commons by
the full-text index (the old query, kept here), and fingerprints of title and text.

Targets (issue 18): 10,000 new items related into 1,000,000 in under 10 s;
precision of the six related items at least 0.8; every planted
near-duplicate grouped as one story.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.common import Report, django_fresh, peak_mb  # noqa: E402

HUBS_PER_SECTOR = 10
RETOLD_EVERY = 25
SUBJECT = re.compile(r"/s(\d+)/")


def _hubs() -> tuple[list[int], dict[int, int]]:
    """The 80 hubs (made if new) and each one's sector."""
    from commonground.hub.models import Sector, Source

    hubs, sector_of = [], {}
    for s, name in enumerate(corpus.SECTORS):
        sector, _ = Sector.objects.get_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name}
        )
        for h in range(HUBS_PER_SECTOR):
            n = s * HUBS_PER_SECTOR + h
            source, _ = Source.objects.get_or_create(
                feed_url=f"https://hub{n}.example/feed",
                defaults={"title": f"Hub {n}", "host": f"hub{n}.example"},
            )
            source.sectors.set([sector])
            hubs.append(source.pk)
            sector_of[source.pk] = sector.pk
    return hubs, sector_of


def _store(rows: list[tuple[str, str, str, int]], *, waiting: bool) -> list[int]:
    """Store (link, title, text, hub) rows as items carried by their hubs; their ids."""
    from django.db import connection

    from commonground.hub import relate
    from commonground.hub.harvest import CARRIAGE_COLUMNS, ITEM_COLUMNS
    from commonground.lib import bulk

    moment = connection.ops.adapt_datetimefield_value
    when = moment(datetime(2026, 11, 1, tzinfo=UTC))
    with connection.cursor() as cursor:
        made = bulk.insert_new(
            cursor,
            ITEM_COLUMNS,
            [
                (hashlib.sha1(link.encode()).hexdigest(), link, title, "", text, "")  # noqa: S324
                + (when, when, when, hashlib.sha1(text.encode()).hexdigest()[:16])  # noqa: S324
                for link, title, text, _ in rows
            ],
            returning="link, id",
        )
        ids = dict(made)
        bulk.copy_in(
            cursor,
            CARRIAGE_COLUMNS,
            [(ids[link], hub, link[-40:], "", "", when, when) for link, _, _, hub in rows],
        )
        if waiting:
            bulk.copy_in(cursor, relate.WAITING_COLUMNS, [(ids[link],) for link, *_ in rows])
    return [ids[link] for link, *_ in rows]


def fill(total: int, subjects: list[list[str]], hubs: list[int]) -> list[str]:
    """Store and relate ``total`` items; prints the relating rate per tenth of the commons."""
    from django.db import connection, transaction

    from commonground.hub import relate, search

    with connection.cursor() as cursor:
        for statement in search.install_sql(connection.vendor, reverse=True):
            cursor.execute(statement)
    rng = random.Random(1)
    tenth = max(total // 10, 1)
    print(f"Filling and relating {total:,} items ...", flush=True)
    relating = 0.0
    done = 0
    for first in range(0, total, 5_000):
        rows = []
        for n in range(first, min(first + 5_000, total)):
            subject = rng.randrange(len(subjects))
            own = subjects[subject]
            link = f"https://hub{rng.randrange(len(hubs))}.example/s{subject}/{n}"
            rows.append((link, corpus.title(rng, own), corpus.body(rng, own), rng.choice(hubs)))
        with transaction.atomic():
            ids = _store(rows, waiting=False)
        started = time.perf_counter()
        for start in range(0, len(ids), relate.BATCH):
            with transaction.atomic():
                relate.relate(ids[start : start + relate.BATCH])
        relating += time.perf_counter() - started
        done += len(ids)
        if done % tenth < 5_000 or done == total:
            print(f"  {done:>9,} related, {done / relating:,.0f} items/s so far", flush=True)
    print("  building the search index (for the baseline) ...", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in search.install_sql(connection.vendor):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO hub_item_fts(hub_item_fts) VALUES ('rebuild')")
        cursor.execute("ANALYZE")
    return [f"{total:,} items related at {total / relating:,.0f} items/s while filling"]


def new_items(
    count: int, subjects: list[list[str]], hubs: list[int], sector_of: dict[int, int], seed: int
) -> tuple[list[int], dict[int, int]]:
    """Store ``count`` new items, waiting; returns their ids and, for each planted
    near-duplicate, the id of the item it retells."""
    from django.db import transaction

    from commonground.hub.models import Carriage, Item

    rng = random.Random(seed)
    top = Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = []
    retold: dict[str, int] = {}
    for n in range(count):
        hub = rng.choice(hubs)
        if n % RETOLD_EVERY == RETOLD_EVERY - 1 and top:
            original = Item.objects.get(pk=rng.randint(1, top))
            carrier = Carriage.objects.filter(item=original).values_list("source", flat=True)[0]
            hub = rng.choice([h for h in hubs if sector_of[h] != sector_of[carrier]])
            subject = int(SUBJECT.search(original.link).group(1))  # type: ignore[union-attr]
            link = f"https://hub{hub}.example/s{subject}/retold-{seed}-{n}"
            text = original.text
            retold[link] = original.pk
        else:
            subject = rng.randrange(len(subjects))
            link = f"https://hub{hub}.example/s{subject}/new-{seed}-{n}"
            text = corpus.body(rng, subjects[subject])
        rows.append((link, corpus.title(rng, subjects[subject]), text, hub))
    with transaction.atomic():
        ids = _store(rows, waiting=True)
    by_link = dict(zip((r[0] for r in rows), ids, strict=True))
    return ids, {by_link[link]: original for link, original in retold.items()}


def quality(ids: list[int], retold: dict[int, int], sector_of: dict[int, int]) -> dict[str, float]:
    """Precision of the related items and near-duplicates grouped, for items ``ids``."""
    from commonground.hub.models import Carriage, Item, Relation

    related: dict[int, list[int]] = {}
    for item, other in Relation.objects.filter(item__in=ids).values_list("item", "related"):
        related.setdefault(item, []).append(other)
    everyone = set(ids) | {o for found in related.values() for o in found}
    subject = {
        pk: int(SUBJECT.search(link).group(1))  # type: ignore[union-attr]
        for pk, link in Item.objects.filter(pk__in=everyone).values_list("pk", "link")
    }
    sectors: dict[int, set[int]] = {}
    for item, hub in Carriage.objects.filter(item__in=everyone).values_list("item", "source"):
        sectors.setdefault(item, set()).add(sector_of[hub])
    found = right = 0
    for item in ids:
        for other in related.get(item, []):
            found += 1
            right += subject[other] == subject[item] and not sectors[other] <= sectors[item]
    stories = dict(Item.objects.filter(pk__in=set(retold) | set(retold.values())).values_list(
        "pk", "story_id"
    ))  # fmt: skip
    grouped = sum(
        stories[copy] in (original, stories[original]) and stories[copy] is not None
        for copy, original in retold.items()
    )
    return {
        "precision": right / found if found else 0.0,
        "per_item": found / len(ids) if ids else 0.0,
        "grouped": grouped,
        "planted": len(retold),
    }


# -- before issue 18 ------------------------------------------------------------------


def _old_similar(
    words: list[str], *, exclude_item: int, exclude_sectors: list[int], limit: int = 5
) -> list[tuple[int, float]]:
    """The old "related" query: items sharing any of ``words``, ranked by the full-text
    index over the whole commons, from a sector outside ``exclude_sectors``."""
    from django.db import connection

    words = [w for w in words if re.fullmatch(r"\w+", w)]
    if not words:
        return []
    # Only placeholders are formatted in; the values go as parameters.
    outside = (
        f" AND ss.sector_id NOT IN ({', '.join(['%s'] * len(exclude_sectors))})"
        if exclude_sectors
        else ""
    )
    other_sector = (
        "EXISTS (SELECT 1 FROM hub_carriage c JOIN hub_source_sectors ss "  # noqa: S608
        f"ON ss.source_id = c.source_id WHERE c.item_id = i.id{outside})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT i.id, -bm25(hub_item_fts, 4.0, 1.0) FROM hub_item_fts "  # noqa: S608
                "JOIN hub_item i ON i.id = hub_item_fts.rowid "
                f"WHERE hub_item_fts MATCH %s AND i.id != %s AND {other_sector} "
                "ORDER BY bm25(hub_item_fts, 4.0, 1.0) LIMIT %s",
                [" OR ".join(f'"{w}"' for w in words), exclude_item, *exclude_sectors, limit],
            )
        else:
            cursor.execute(
                "SELECT i.id, ts_rank_cd(s.vector, q) AS rank "  # noqa: S608
                "FROM hub_itemsearch s JOIN hub_item i ON i.id = s.item_id, "
                "to_tsquery('english', %s) q "
                f"WHERE s.vector @@ q AND i.id != %s AND {other_sector} "
                "ORDER BY rank DESC LIMIT %s",
                [" | ".join(f"'{w}'" for w in words), exclude_item, *exclude_sectors, limit],
            )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def _old_fingerprint(text: str) -> int | None:
    """The fingerprint as it was: pure Python, of title and text."""
    from commonground.hub import similar

    tokens = similar.words(text)
    if len(tokens) < similar.MIN_STORY_WORDS:
        return None
    counts = [0] * 64
    for i in range(len(tokens) - 2):
        shingle = " ".join(tokens[i : i + 3]).encode()
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if counts[bit] > 0)


def baseline(
    sample: list[int], retold: dict[int, int], sector_of: dict[int, int]
) -> dict[str, float]:
    """The old way on ``sample``: its rate, its precision, and its stories."""
    from commonground.hub import similar
    from commonground.hub.models import Carriage, Item

    items = {i.pk: i for i in Item.objects.filter(pk__in=sample)}
    started = time.perf_counter()
    found: dict[int, list[int]] = {}
    for pk in sample:
        item = items[pk]
        hubs = Carriage.objects.filter(item=item).values_list("source", flat=True)
        mine = {sector_of[h] for h in hubs}
        words = similar.key_words(item.title, item.text)
        found[pk] = [
            other
            for other, _ in _old_similar(
                words, exclude_item=pk, exclude_sectors=sorted(mine), limit=6
            )
        ]
    seconds = time.perf_counter() - started
    subject = {
        pk: int(SUBJECT.search(link).group(1))  # type: ignore[union-attr]
        for pk, link in Item.objects.filter(
            pk__in=set(sample) | {o for f in found.values() for o in f}
        ).values_list("pk", "link")
    }
    total = sum(len(f) for f in found.values())
    right = sum(subject[o] == subject[pk] for pk, f in found.items() for o in f)
    pairs = list(retold.items())
    texts = dict(
        Item.objects.filter(pk__in={p for pair in pairs for p in pair}).values_list("pk", "title")
    )
    bodies = dict(
        Item.objects.filter(pk__in={p for pair in pairs for p in pair}).values_list("pk", "text")
    )
    grouped = 0
    for copy, original in pairs:
        a = _old_fingerprint(f"{texts[copy]} {bodies[copy]}")
        b = _old_fingerprint(f"{texts[original]} {bodies[original]}")
        grouped += a is not None and b is not None and similar.distance(a, b) <= 3
    return {
        "rate": len(sample) / seconds,
        "precision": right / total if total else 0.0,
        "per_item": total / len(sample),
        "grouped": grouped,
        "planted": len(pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commons", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--before", type=int, default=300, help="Baseline sample (0: none).")
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the commons for the next run with --keep (new items are taken out again).",
    )
    args = parser.parse_args()

    django_fresh(args.database_url, name="commonground_bench_relate", keep=args.keep)
    from django.db import connection

    from commonground.hub import relate
    from commonground.hub.models import Item

    subjects = corpus.subjects(max(50, args.commons // 500))
    hubs, sector_of = _hubs()
    report = Report(f"Relating: {args.new:,} new items into {args.commons:,}, {connection.vendor}")
    if args.keep and Item.objects.count() == args.commons:
        print("Using the commons the last run kept.", flush=True)
    elif Item.objects.exists():
        sys.exit("The kept database holds another commons: drop it, then run again.")
    else:
        for line in fill(args.commons, subjects, hubs):
            report.figure("commons", line)
    print(f"Storing {args.new:,} new items ...", flush=True)
    ids, retold = new_items(args.new, subjects, hubs, sector_of, seed=int(time.time()))
    print("Relating them ...", flush=True)
    done = relate.relate_waiting()
    rate = done.related / done.seconds
    got = quality(ids, retold, sector_of)
    report.figure(
        "relating the new items", f"{done.related:,} in {done.seconds:.2f} s ({rate:,.0f} items/s)"
    )
    report.figure(
        "related items",
        f"precision {got['precision']:.3f}, {got['per_item']:.2f} related a new item",
    )
    report.figure("near-duplicates grouped", f"{got['grouped']} of {got['planted']} planted")
    report.figure("peak memory", f"{peak_mb():.0f} MB")
    report.target(f"{args.new:,} related in under 10 s", done.seconds < 10)
    report.target("precision at least 0.8", got["precision"] >= 0.8)
    report.target("every planted near-duplicate grouped", got["grouped"] == got["planted"])
    if args.before:
        print(f"Baseline: the old way on {args.before} of the new items ...", flush=True)
        sample = [pk for pk in ids if pk not in retold][: args.before]
        old = baseline(sample, {c: o for c, o in retold.items()}, sector_of)
        report.figure(
            "before: rate (full-text ranking)",
            f"{old['rate']:,.1f} items/s; now {rate / old['rate']:,.0f}x that",
        )
        report.figure(
            "before: related items",
            f"precision {old['precision']:.3f}, {old['per_item']:.2f} related an item",
        )
        report.figure(
            "before: near-duplicates within 3 bits",
            f"{old['grouped']} of {old['planted']} (title and text fingerprints)",
        )
    if args.keep:  # the commons as it was, for the next run
        Item.objects.filter(pk__in=ids).delete()
    report.finish()


if __name__ == "__main__":
    main()
