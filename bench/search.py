"""Search benchmark: 1,000,000 items, typical two-word queries with a filter.

    uv run python bench/search.py                                   # SQLite (FTS5)
    uv run python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Fills a fresh database with items whose words follow a Zipf distribution
over a 20,000-word vocabulary (as real text does), carried by 200 hubs in
the shared sectors, a third with a theme, spread over five years. It then
runs two-word queries (a common word and a rarer one), each with one filter (sector,
theme, hub or the last year) and measures what the search page itself asks
of the database: ``selectors.search_page`` (ranked matches, snippets, the
count, and the page's items with their hubs and themes).

It also counts the queries the list, item and search pages issue with 1,000
items and again with all of them: the counts must be the same.

Targets (issue 3): search p95 under 50 ms; a fixed number of queries per page.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, percentile  # noqa: E402

SOURCES = 200
VOCABULARY = 20_000
FIELD_WORDS = (
    "community library volunteers museum archive residents council housing health "
    "neighbourhood engagement workshop reading oral history collection outreach "
    "partnership funding evaluation listening consultation tenants youth older "
    "digital inclusion skills training session venue programme pilot learning network "
    "heritage exhibition story walk garden repair conversation survey findings "
    "trustees grant report evidence wellbeing loneliness belonging access barriers "
    "transport childcare welcome languages translation families schools"
).split()


def vocabulary(rng: random.Random) -> list[str]:
    syllables = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = list(FIELD_WORDS)
    seen = set(words)
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def fill(total: int, rng: random.Random, start_at: int = 0) -> None:
    """Add items ``start_at`` .. ``total`` with their hubs and themes, in batches."""
    from django.db import connection, transaction

    from commonground.hub.models import Sector, Source, Theme

    words = vocabulary(random.Random(1))
    weights = [1 / (rank + 1) for rank in range(len(words))]
    cumulative = []
    running = 0.0
    for w in weights:
        running += w
        cumulative.append(running)
    if start_at == 0:
        sectors = list(Sector.objects.order_by("pk"))
        for n in range(SOURCES):
            source = Source.objects.create(
                feed_url=f"https://hub{n}.example/feed", title=f"Hub {n}", host=f"hub{n}.example"
            )
            source.sectors.set([sectors[n % len(sectors)]])
    source_ids = list(Source.objects.order_by("pk").values_list("pk", flat=True))
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    moment = connection.ops.adapt_datetimefield_value
    newest = datetime(2026, 11, 1, tzinfo=UTC)
    batch = 10_000
    for first in range(start_at, total, batch):
        rows, carriages, themes = [], [], []
        for n in range(first, min(first + batch, total)):
            title = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(5, 10)))
            text = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(50, 110)))
            when = moment(newest - timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60)))
            rows.append(
                (f"{n:040d}", f"https://hub.example/{n}", title.capitalize(), f"<p>{text}</p>")
                + (text, "", when, when, when, "bench")
            )
            carriages.append((n + 1, source_ids[n % len(source_ids)], f"{n:040d}", when, when))
            if n % 3 == 0:
                themes.append((n + 1, theme_ids[n % len(theme_ids)], True))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO hub_item (id, link_key, link, title, content, text, author, "
                "published_at, first_seen_at, changed_at, content_hash) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(int(r[0]) + 1,) + r for r in rows],
            )
            cursor.executemany(
                "INSERT INTO hub_carriage (item_id, source_id, entry_key, published_at, seen_at, "
                "original_link, categories) VALUES (%s, %s, %s, %s, %s, '', '')",
                carriages,
            )
            cursor.executemany(
                "INSERT INTO hub_itemtheme (item_id, theme_id, by_rule) VALUES (%s, %s, %s)",
                themes,
            )
        print(f"  {min(first + batch, total):,} items", end="\r", flush=True)
    print()


def already_loaded(items: int, *, keep: bool) -> bool:
    """Whether the database holds the ``items`` a run with ``--keep`` left (so loading can
    be skipped); False for an empty one. Any other number of items stops the run."""
    from django.db import connection

    from commonground.hub.models import Item

    if keep and Item.objects.count() == items:
        print("Using the database the last run kept.", flush=True)
        return True
    if Item.objects.exists():
        sys.exit(
            f"The kept database ({connection.settings_dict['NAME']}) holds a different "
            "number of items: delete or drop it, then run again."
        )
    return False


def bulk_load(total: int, rng: random.Random) -> None:
    """Fill with the search index built once at the end, as a bulk import would."""
    from django.db import connection

    from commonground.hub import search

    with connection.cursor() as cursor:
        for statement in search.install_sql(connection.vendor, reverse=True):
            cursor.execute(statement)
    fill(total, rng, start_at=1_000)
    print("  building the search index ...", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")  # a faster GIN build
        for statement in search.install_sql(connection.vendor):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO hub_item_fts(hub_item_fts) VALUES ('rebuild')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")


def page_queries() -> dict[str, int]:
    """How many queries the list, item and search pages issue."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commonground.hub.models import Sector

    client = Client()
    sector = Sector.objects.order_by("pk").first()
    pages = {
        "list": "/hub/",
        "item": "/hub/items/500/",
        "search": f"/hub/search/?q=community+volunteers&sector={sector.pk if sector else ''}",
    }
    counts = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def queries(rng: random.Random, count: int) -> list[tuple[str, dict[str, object]]]:
    from commonground.hub.models import Sector, Source, Theme

    words = vocabulary(random.Random(1))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    sources = list(Source.objects.values_list("pk", flat=True))
    made = []
    for n in range(count):
        a, b = rng.choice(words[10:500]), rng.choice(words[10:3000])
        kind = ("sector", "theme", "source", "since")[n % 4]
        value: object = {
            "sector": lambda: rng.choice(sectors),
            "theme": lambda: rng.choice(themes),
            "source": lambda: rng.choice(sources),
            "since": lambda: datetime(2025, 11, 1, tzinfo=UTC).date(),
        }[kind]()
        made.append((f"{a} {b}", {kind: value}))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the loaded database for the next run with --keep, and use the last one's "
        "if it holds --items items (to time changes to search without loading again).",
    )
    args = parser.parse_args()

    django_fresh(args.database_url, name="commonground_bench_search", keep=args.keep)
    from django.db import connection

    from commonground.hub import search, selectors

    rng = random.Random(7)
    report = Report(f"Search: {args.items:,} items on {connection.vendor}")
    if already_loaded(args.items, keep=args.keep):
        report.figure("load", "skipped: the kept database (--keep) already holds the items")
    else:
        print("Adding the first 1,000 items (search index kept by the database) ...", flush=True)
        fill(1_000, rng)
        small = page_queries()
        print(f"Adding the rest, to {args.items:,} ...", flush=True)
        started = time.perf_counter()
        bulk_load(args.items, rng)
        report.figure("load", f"{time.perf_counter() - started:.0f} s")
        large = page_queries()
        for name in small:
            report.figure(
                f"queries on the {name} page",
                f"{small[name]} at 1,000; {large[name]} at {args.items:,}",
            )
        report.target("list, item and search pages issue a fixed number of queries", small == large)

    timings: list[float] = []
    found: list[int] = []
    for query, filters in queries(random.Random(11), args.queries):
        began = time.perf_counter()
        page = selectors.search_page(query=query, filters=search.Filters(**filters), number=1)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - began) * 1000)
        found.append(page.total or 0)
    report.figure("queries timed", f"{len(timings)} two-word queries, each with one filter")
    report.figure(
        "matches per query", f"median {sorted(found)[len(found) // 2]:,}, most {max(found):,}"
    )
    report.figure("search page p50", f"{percentile(timings, 50):.1f} ms")
    report.figure("search page p95", f"{percentile(timings, 95):.1f} ms")
    report.figure("search page max", f"{max(timings):.1f} ms")
    report.target("search p95 under 50 ms", percentile(timings, 95) < 50)
    report.finish()


if __name__ == "__main__":
    main()
