"""Harvest benchmark: Common Ground against the floor and against PyPI ``reader``.

    uv sync --group bench
    uv run --group bench python bench/harvest.py                 # 1,000 feeds x 50 entries
    uv run --group bench python bench/harvest.py --feeds 100 --entries 20 --skip-reader
    uv run --group bench python bench/harvest.py --database-url postgres://postgres@127.0.0.1:5432/postgres

It writes a corpus of feeds (RSS 2.0, Atom 1.0 and JSON Feed 1.1 in turn, with
HTML bodies like the field's posts) from hubs in eight sectors writing on
planted subjects (bench/corpus.py): one entry in 25 is a story several hubs
carry under one link, and one in 25 is a story other hubs pass on under links
and titles of their own (a near-duplicate, to be grouped as one story). It
serves the corpus on loopback from a separate process (one port per ten feeds,
every answer with an ETag and 304 on a match), and measures, each phase in its
own process so memory is its own:

- the floor: fetch every feed and parse it with lxml (JSON with ``json``),
  storing nothing, with as many threads as Common Ground uses;
- Common Ground, as ``commonground hub harvest --all`` runs on one machine: a
  cold harvest into a fresh database until every item is stored and
  searchable, then until every item is also related (its story and its
  related items from other sectors), then a warm harvest in which every feed
  answers 304; with the quality of what was related (precision of the
  related items: same subject, another sector; near-duplicates grouped);
- with ``--database-url``, the same on SQLite first, for the ratio; and the
  cold harvest by Celery workers (``--workers 1,2``: one, then two worker
  processes on the same database), until stored and until related;
- reader: the same corpus with ``update_feeds(workers=8)``.

Targets (issue 18): cold harvest (stored and searchable) at least 5x faster
than reader; until every item is also related under 45 s; warm under 1 s; peak
memory under 300 MB; precision at least 0.8 and every near-duplicate grouped.
On PostgreSQL: cold within 1.5x of SQLite's, and two workers no slower than one.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.common import Report, TreeMemory, django_fresh, peak_mb  # noqa: E402

FEEDS_PER_PORT = 10
HOST = "127.0.0.1"
BENCH_REDIS = "redis://127.0.0.1:6379/7"  # a database of its own, emptied each run

SUBJECTS_EVERY = 500  # items a subject, roughly
SHARED, RETOLD = 0, 12  # entry numbers (mod 25) of carried and passed-on stories
SUBJECT = re.compile(r"/s(\d+)/")


# -- the corpus ------------------------------------------------------------------------


def sector_of(n: int) -> str:
    return corpus.SECTORS[n % len(corpus.SECTORS)]


def _html(rng: random.Random, own: list[str], n: int, *, extras: bool = True) -> str:
    paragraphs = []
    for p in range(rng.randint(3, 5)):
        text = corpus.body(rng, own, (2, 4))
        if p == 1:
            text += (
                f' Read <a href="https://hub{n}.example/reports/{rng.randint(1, 999)}">'
                f"the full report</a> or see <strong>what people said</strong>."
            )
        paragraphs.append(f"<p>{text}</p>")
    items = "".join(f"<li>{corpus.sentence(rng, own)}</li>" for _ in range(3))
    paragraphs.insert(2, f"<ul>{items}</ul>")
    if extras and rng.random() < 0.2:
        paragraphs.append('<script>alert("hostile")</script><p onclick="x()">Clicked</p>')
    paragraphs.append(f'<p><img src="https://hub{n}.example/photo.jpg" alt="The room"></p>')
    return "".join(paragraphs)


def _entries(n: int, count: int, subjects: list[list[str]]) -> list[dict[str, Any]]:
    rng = random.Random(n)  # the same corpus every run
    start = 1_790_000_000
    entries = []
    for e in range(count):
        subject = rng.randrange(len(subjects))
        if e % 25 == SHARED:  # one story several hubs carry, under one link
            subject = e % len(subjects)
            link = f"https://shared.example/s{subject}/story/{e}?utm_source=hub{n}"
        elif e % 25 == RETOLD and (n + e) % 20 == 0:  # a story passed on by one hub in 20,
            # under its own link and title
            subject = (e * 7) % len(subjects)
            link = f"https://hub{n}.example/s{subject}/retold/{e}"
        else:
            link = f"https://hub{n}.example/s{subject}/posts/{e}"
        own = subjects[subject]
        # A passed-on story's words are the same in every hub that carries it.
        retold = "/retold/" in link
        html = _html(random.Random(e), own, 0, extras=False) if retold else _html(rng, own, n)
        entries.append(
            {
                "id": f"tag:hub{n}.example,2026:{e}",
                "title": f"{corpus.title(rng, own)} ({n}-{e})",
                "link": link,
                "html": html,
                "when": start - (n * 37 + e) * 3600,
                "author": f"Author {rng.randint(1, 40)}",
                "tags": rng.sample(["volunteering", "funding", "digital", "heritage"], 2),
            }
        )
    return entries


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC), usegmt=True)


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def feed_document(n: int, count: int, subjects: list[list[str]]) -> tuple[str, bytes, str]:
    """Feed ``n`` as (path, body, content type), its format by ``n`` mod 3."""
    entries = _entries(n, count, subjects)
    title = f"Hub {n} resources"
    if n % 3 == 0:
        items = "".join(
            f"<item><title>{_escape(e['title'])}</title><link>{_escape(e['link'])}</link>"
            f"<guid isPermaLink='false'>{e['id']}</guid><pubDate>{_date(e['when'])}</pubDate>"
            f"<author>{e['author']}</author>"
            + "".join(f"<category>{t}</category>" for t in e["tags"])
            + f"<description>{_escape(e['html'])}</description></item>"
            for e in entries
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://hub{n}.example/</link>"
            f"<description>Posts from hub {n}</description>{items}</channel></rss>"
        )
        return f"/feeds/{n}.rss", body.encode(), "application/rss+xml"
    if n % 3 == 1:
        items = "".join(
            f"<entry><title>{_escape(e['title'])}</title>"
            f'<link rel="alternate" href="{_escape(e["link"])}"/><id>{e["id"]}</id>'
            f"<updated>{_iso(e['when'])}</updated><author><name>{e['author']}</name></author>"
            + "".join(f'<category term="{t}"/>' for t in e["tags"])
            + f'<content type="html">{_escape(e["html"])}</content></entry>'
            for e in entries
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{title}</title><id>urn:hub:{n}</id><updated>{_iso(entries[0]['when'])}"
            f'</updated><link rel="alternate" href="https://hub{n}.example/"/>{items}</feed>'
        )
        return f"/feeds/{n}.atom", body.encode(), "application/atom+xml"
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": f"https://hub{n}.example/",
        "items": [
            {
                "id": e["id"],
                "url": e["link"],
                "title": e["title"],
                "content_html": e["html"],
                "date_published": _iso(e["when"]),
                "authors": [{"name": e["author"]}],
                "tags": e["tags"],
            }
            for e in entries
        ],
    }
    return f"/feeds/{n}.json", json.dumps(document).encode(), "application/feed+json"


def write_corpus(folder: Path, feeds: int, entries: int) -> list[str]:
    """Write the feeds and an index of (port offset, path, content type); return the paths."""
    index = []
    subjects = corpus.subjects(max(50, feeds * entries // SUBJECTS_EVERY))
    for n in range(feeds):
        path, body, content_type = feed_document(n, entries, subjects)
        (folder / f"{n}.body").write_bytes(body)
        index.append({"n": n, "path": path, "type": content_type})
    (folder / "index.json").write_text(json.dumps(index))
    return [i["path"] for i in index]


# -- the server ------------------------------------------------------------------------


def serve(folder: str, base_port: int, ports: int, ready: Any) -> None:
    """Serve the corpus on ``ports`` ports from ``base_port``: 200 with an ETag, or 304."""
    index = json.loads((Path(folder) / "index.json").read_text())
    routes: dict[str, tuple[bytes, bytes]] = {}
    for entry in index:
        body = (Path(folder) / f"{entry['n']}.body").read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 - not security
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {entry['type']}; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
        ).encode()
        routes[entry["path"]] = (head + body, etag.encode())
    not_modified = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            path = lines[0].split(b" ")[1].decode()
            match = b""
            for line in lines[1:]:
                if line.lower().startswith(b"if-none-match:"):
                    match = line.split(b":", 1)[1].strip()
            found = routes.get(path)
            if found is None:
                writer.write(missing)
            elif match and match == found[1]:
                writer.write(not_modified)
            else:
                writer.write(found[0])
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [
            await asyncio.start_server(answer, HOST, base_port + p, backlog=512)
            for p in range(ports)
        ]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def url_for(path: str, n: int, base_port: int) -> str:
    return f"http://{HOST}:{base_port + n // FEEDS_PER_PORT}{path}"


# -- the phases, each run in its own process -------------------------------------------


def phase_floor(urls: list[str], threads: int) -> dict[str, float]:
    import http.client
    from urllib.parse import urlsplit

    from lxml import etree

    def one(url: str) -> int:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", parts.path)
        body = conn.getresponse().read()
        conn.close()
        if url.endswith(".json"):
            return len(json.loads(body)["items"])
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return len(etree.fromstring(body, parser))

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, urls))
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def _follow(urls: list[str]) -> None:
    """Follow every feed, each hub in its sector."""
    from django.utils.text import slugify

    from commonground.hub.models import Sector, Source

    sectors = {
        name: Sector.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in corpus.SECTORS
    }
    Source.objects.bulk_create(
        [Source(feed_url=url, title=url, host=HOST) for url in urls], batch_size=500
    )
    pk = dict(Source.objects.values_list("feed_url", "pk"))
    through = Source.sectors.through
    through.objects.bulk_create(
        [
            through(source_id=pk[url], sector_id=sectors[sector_of(n)].pk)
            for n, url in enumerate(urls)
        ],
        batch_size=1000,
    )


def quality() -> dict[str, float]:
    """Precision of every item's related items (same subject, another sector) and how many
    passed-on stories were grouped as one."""
    from commonground.hub.models import Carriage, Item, Relation

    subject, story, retold = {}, {}, {}
    for pk, link, story_id in Item.objects.values_list("pk", "link", "story_id").iterator():
        found_subject = SUBJECT.search(link)
        subject[pk] = int(found_subject.group(1)) if found_subject else -1
        story[pk] = story_id or pk
        if "/retold/" in link:
            retold.setdefault(link.rsplit("/", 1)[1], set()).add(pk)
    sectors: dict[int, set[int]] = {}
    for pk, sector in Carriage.objects.values_list("item", "source__sectors").iterator():
        sectors.setdefault(pk, set()).add(sector)
    found = right = 0
    for pk, other in Relation.objects.values_list("item", "related").iterator():
        found += 1
        right += subject[pk] == subject[other] and not sectors[other] <= sectors[pk]
    grouped = sum(len({story[pk] for pk in group}) == 1 for group in retold.values())
    return {
        "precision": right / found if found else 0.0,
        "per_item": found / len(subject) if subject else 0.0,
        "grouped": grouped,
        "planted": len(retold),
        "copies": sum(len(group) for group in retold.values()),
    }


def phase_commonground(urls: list[str], database_url: str) -> dict[str, Any]:
    django_fresh(database_url)
    from django.conf import settings
    from django.db import connection

    from commonground.hub import services
    from commonground.hub.models import Item

    settings.HUB_ALLOWED_PRIVATE_NETWORKS = [f"{HOST}/32"]
    _follow(urls)
    # As `commonground hub harvest --all` runs: store every item, then relate them all.
    with TreeMemory() as memory:
        cold = services.harvest_due(limit=len(urls), every=True)
        items = Item.objects.count()
        warm = services.harvest_due(limit=len(urls), every=True)
    return {
        "cold": cold.seconds,
        "related": cold.related,
        "relate_seconds": cold.relate_seconds,
        "cold_line": cold.line(),
        "warm": warm.seconds + warm.relate_seconds,
        "warm_line": warm.line(),
        "warm_unchanged": warm.unchanged,
        "items": items,
        "failed": cold.failed,
        "threads": settings.HUB_FETCH_THREADS,
        "peak_mb": max(memory.peak_mb, peak_mb()),
        "database": connection.vendor,
        **quality(),
    }


def phase_workers(urls: list[str], database_url: str, count: int) -> dict[str, Any]:
    """A cold harvest by ``count`` Celery worker processes, as beat's minute shares it out:
    until every source is checked (items stored and searchable) and until nothing waits."""
    import redis

    redis.Redis.from_url(BENCH_REDIS).flushdb()
    os.environ["HUB_ALLOWED_PRIVATE_NETWORKS"] = f"{HOST}/32"
    data = django_fresh(database_url, name="commonground_bench_workers", redis_url=BENCH_REDIS)
    from django.db import connection

    from commonground.celery import app
    from commonground.hub import tasks
    from commonground.hub.models import Item, Source, Waiting

    _follow(urls)
    env = {**os.environ, "REDIS_URL": BENCH_REDIS, "DATA_DIR": str(data)}
    command = [sys.executable, "-m", "commonground.cli", "worker", "--concurrency", "1"]
    logs, workers = [], []
    for n in range(count):
        logs.append((data / f"worker-{n}.log").open("w"))
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own command
                [*command, "--hostname", f"bench-{n}@%h"],
                env=env,
                stdout=logs[-1],
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=0.5) or []) < count:
            if time.monotonic() > deadline:
                sys.exit(f"The workers did not start: see {data}/worker-*.log")
        connection.close()
        started = time.perf_counter()
        tasks.harvest_enqueue_due()
        stored = related = 0.0
        while not related:
            time.sleep(0.1)
            if not stored and not Source.objects.filter(last_checked_at__isnull=True).exists():
                stored = time.perf_counter() - started
            if stored and not Waiting.objects.exists():
                related = time.perf_counter() - started
            if time.perf_counter() - started > 600:
                sys.exit(f"The workers took over 10 minutes: see {data}/worker-*.log")
        items = Item.objects.count()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        for log in logs:
            log.close()
    return {"stored": stored, "related": related, "items": items}


def phase_reader(urls: list[str], workers: int) -> dict[str, float]:
    from reader import make_reader

    folder = tempfile.mkdtemp(prefix="reader-bench-")
    reader = make_reader(os.path.join(folder, "reader.sqlite"))
    for url in urls:
        reader.add_feed(url)
    started = time.perf_counter()
    reader.update_feeds(workers=workers)
    seconds = time.perf_counter() - started
    entries = reader.get_entry_counts().total
    return {"seconds": seconds, "entries": entries, "peak_mb": peak_mb()}


def run_phase(
    name: str, args: argparse.Namespace, urls_file: Path, *, database_url: str, extra: int = 0
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", name, "--urls", str(urls_file)]
    command += ["--threads", str(args.threads), "--database-url", database_url]
    command += ["--reader-workers", str(args.reader_workers), "--count", str(extra)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"The {name} phase failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run ---------------------------------------------------------------------------


def _common_ground(report: Report, cg: dict[str, Any], *, feeds: int) -> None:
    """The figures and targets of one Common Ground run on one machine."""
    until_related = cg["cold"] + cg["relate_seconds"]
    report.figure("database", cg["database"])
    report.figure("cold: stored and searchable", f"{cg['cold']:.2f} s")
    report.figure(
        "cold: until every item is related",
        f"{until_related:.2f} s ({cg['related']:,} items related in {cg['relate_seconds']:.2f} s,"
        f" {cg['related'] / max(cg['relate_seconds'], 1e-9):,.0f} items/s)",
    )
    report.figure("cold summary line", cg["cold_line"])
    report.figure("warm (all 304)", f"{cg['warm']:.2f} s  ({cg['warm_line']})")
    report.figure("items stored", f"{cg['items']:,}")
    report.figure("related items", f"precision {cg['precision']:.3f}, {cg['per_item']:.2f} an item")
    report.figure(
        "passed-on stories grouped",
        f"{cg['grouped']} of {cg['planted']} (their {cg['copies']} copies, each one story)",
    )
    report.figure("peak memory", f"{cg['peak_mb']:.0f} MB (all its processes together)")
    report.target("until every item is related under 45 s", until_related < 45)
    report.target("warm harvest under 1 s", cg["warm"] < 1.0)
    report.target("every feed answered 304 when warm", cg["warm_unchanged"] == feeds)
    report.target("no feed failed", cg["failed"] == 0)
    report.target("peak memory under 300 MB", cg["peak_mb"] < 300)
    report.target("related precision at least 0.8", cg["precision"] >= 0.8)
    report.target("every passed-on story grouped as one", cg["grouped"] == cg["planted"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--port", type=int, default=21000, help="First port of the corpus.")
    parser.add_argument("--threads", type=int, default=16, help="Floor and harvest threads.")
    parser.add_argument("--reader-workers", type=int, default=8)
    parser.add_argument("--skip-reader", action="store_true")
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument(
        "--workers",
        default="1,2",
        help="With --database-url: how many Celery workers to time in turn ('' for none).",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        urls = json.loads(Path(args.urls).read_text())
        os.environ["HUB_FETCH_THREADS"] = str(args.threads)
        if args.phase == "floor":
            result = phase_floor(urls, args.threads)
        elif args.phase == "commonground":
            result = phase_commonground(urls, args.database_url)
        elif args.phase == "workers":
            result = phase_workers(urls, args.database_url, args.count)
        else:
            result = phase_reader(urls, args.reader_workers)
        print(json.dumps(result))
        return

    folder = Path(tempfile.mkdtemp(prefix="cg-harvest-corpus-"))
    print(f"Writing {args.feeds} feeds x {args.entries} entries to {folder} ...", flush=True)
    paths = write_corpus(folder, args.feeds, args.entries)
    size = sum(f.stat().st_size for f in folder.glob("*.body"))
    urls = [url_for(path, n, args.port) for n, path in enumerate(paths)]
    urls_file = folder / "urls.json"
    urls_file.write_text(json.dumps(urls))
    ports = (args.feeds + FEEDS_PER_PORT - 1) // FEEDS_PER_PORT
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(str(folder), args.port, ports, ready), daemon=True
    )
    server.start()
    if not ready.wait(30):
        sys.exit("The corpus server did not start.")
    report = Report(f"Harvest: {args.feeds} feeds x {args.entries} entries")
    try:
        report.figure("corpus", f"{size / 1e6:.1f} MB on {ports} loopback ports")
        print("Floor: fetch and parse, store nothing ...", flush=True)
        floor = run_phase("floor", args, urls_file, database_url="")
        report.figure("floor (fetch + lxml/json parse)", f"{floor['seconds']:.2f} s")
        sqlite = None
        if args.database_url:
            print("Common Ground on SQLite, for the ratio ...", flush=True)
            sqlite = run_phase("commonground", args, urls_file, database_url="")
            report.figure("SQLite: cold, stored and searchable", f"{sqlite['cold']:.2f} s")
        print("Common Ground: cold, related, then warm ...", flush=True)
        cg = run_phase("commonground", args, urls_file, database_url=args.database_url)
        _common_ground(report, cg, feeds=args.feeds)
        report.figure("cold / floor", f"{cg['cold'] / floor['seconds']:.2f}x")
        if sqlite:
            ratio = cg["cold"] / sqlite["cold"]
            report.figure("PostgreSQL / SQLite, cold", f"{ratio:.2f}x")
            report.target("cold within 1.5x of SQLite's", ratio <= 1.5)
        counts = [int(c) for c in args.workers.split(",") if c] if args.database_url else []
        timed: dict[int, dict[str, Any]] = {}
        for count in counts:
            print(f"Celery: {count} worker(s), cold ...", flush=True)
            timed[count] = run_phase(
                "workers", args, urls_file, database_url=args.database_url, extra=count
            )
            report.figure(
                f"{count} Celery worker{'s' if count > 1 else ''}",
                f"stored and searchable {timed[count]['stored']:.2f} s, all related "
                f"{timed[count]['related']:.2f} s ({timed[count]['items']:,} items)",
            )
        if 1 in timed and 2 in timed:
            one, two = timed[1]["related"], timed[2]["related"]
            report.figure("two workers / one", f"{two / one:.2f}x the time")
            report.target("two workers no slower than one", two <= one)
        if not args.skip_reader:
            print(f"reader: update_feeds(workers={args.reader_workers}) ...", flush=True)
            other = run_phase("reader", args, urls_file, database_url="")
            report.figure("reader cold", f"{other['seconds']:.2f} s ({other['entries']} entries)")
            report.figure("reader / Common Ground cold", f"{other['seconds'] / cg['cold']:.1f}x")
            report.target(
                "cold harvest at least 5x faster than reader", other["seconds"] >= 5 * cg["cold"]
            )
    finally:
        server.terminate()
    report.finish()


if __name__ == "__main__":
    main()
