"""Harvest benchmark: Common Ground against the floor and against PyPI ``reader``.

    uv sync --group bench
    uv run --group bench python bench/harvest.py                 # 1,000 feeds x 50 entries
    uv run --group bench python bench/harvest.py --feeds 100 --entries 20 --skip-reader

It writes a corpus of feeds (RSS 2.0, Atom 1.0 and JSON Feed 1.1 in turn, with
HTML bodies like the field's posts), serves it on loopback from a separate
process (one port per ten feeds, every answer with an ETag and 304 on a match),
and measures, each phase in its own process so memory is its own:

- the floor: fetch every feed and parse it with lxml (JSON with ``json``),
  storing nothing, with as many threads as Common Ground uses;
- Common Ground: a cold harvest into a fresh database, then a warm one in
  which every feed answers 304;
- reader: the same corpus with ``update_feeds(workers=8)``.

Targets (issue 3): cold at most 3x the floor and at least 10x faster than
reader; warm under 1 s; Common Ground's peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import random
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

from bench.common import Report, TreeMemory, django_fresh, peak_mb  # noqa: E402

FEEDS_PER_PORT = 10
HOST = "127.0.0.1"

WORDS = (
    "community library volunteers museum archive residents council housing health "
    "neighbourhood engagement workshop reading group oral history collection outreach "
    "partnership funding evaluation listening consultation tenants youth older people "
    "digital inclusion skills training session venue programme pilot learning network "
    "heritage exhibition story walk garden cafe repair conversation survey findings "
    "co-production board trustees grant report evidence wellbeing loneliness belonging "
    "access barriers transport childcare welcome languages translation families schools"
).split()


# -- the corpus ------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 18))]
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, n: int) -> str:
    paragraphs = []
    for p in range(rng.randint(3, 5)):
        text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        if p == 1:
            text += (
                f' Read <a href="https://hub{n}.example/reports/{rng.randint(1, 999)}">'
                f"the full report</a> or see <strong>what people said</strong>."
            )
        paragraphs.append(f"<p>{text}</p>")
    paragraphs.insert(2, "<ul>" + "".join(f"<li>{_sentence(rng)}</li>" for _ in range(3)) + "</ul>")
    if rng.random() < 0.2:
        paragraphs.append('<script>alert("hostile")</script><p onclick="x()">Clicked</p>')
    paragraphs.append(f'<p><img src="https://hub{n}.example/photo.jpg" alt="The room"></p>')
    return "".join(paragraphs)


def _entries(n: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(n)  # the same corpus every run
    start = 1_790_000_000
    entries = []
    for e in range(count):
        shared = e % 25 == 0  # one post in 25 is a story several hubs carry
        link = (
            f"https://shared.example/story/{e}?utm_source=hub{n}"
            if shared
            else f"https://hub{n}.example/posts/{e}"
        )
        entries.append(
            {
                "id": f"tag:hub{n}.example,2026:{e}",
                "title": f"{_sentence(rng)[:-1]} ({n}-{e})",
                "link": link,
                "html": _body(rng, n),
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


def feed_document(n: int, count: int) -> tuple[str, bytes, str]:
    """Feed ``n`` as (path, body, content type), its format by ``n`` mod 3."""
    entries = _entries(n, count)
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
    for n in range(feeds):
        path, body, content_type = feed_document(n, entries)
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


def phase_commonground(urls: list[str], database_url: str) -> dict[str, Any]:
    django_fresh(database_url)
    from django.conf import settings
    from django.db import connection

    from commonground.hub.harvest import harvest
    from commonground.hub.models import Item, Source
    from commonground.hub.services import sources_claim

    settings.HUB_ALLOWED_PRIVATE_NETWORKS = [f"{HOST}/32"]
    Source.objects.bulk_create(
        [Source(feed_url=url, title=url, host=HOST) for url in urls], batch_size=500
    )
    # The harvest itself, as `commonground hub harvest --all` runs it; relating items to
    # each other is background work queued after it, not part of it.
    with TreeMemory() as memory:
        cold = harvest(sources_claim(due_only=False, limit=len(urls)))
        items = Item.objects.count()
        warm = harvest(sources_claim(due_only=False, limit=len(urls)))
    return {
        "cold": cold.seconds,
        "cold_line": cold.line(),
        "warm": warm.seconds,
        "warm_line": warm.line(),
        "warm_unchanged": warm.unchanged,
        "items": items,
        "failed": cold.failed,
        "threads": settings.HUB_FETCH_THREADS,
        "peak_mb": max(memory.peak_mb, peak_mb()),
        "database": connection.vendor,
    }


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


def run_phase(name: str, args: argparse.Namespace, urls_file: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", name, "--urls", str(urls_file)]
    command += ["--threads", str(args.threads), "--database-url", args.database_url]
    command += ["--reader-workers", str(args.reader_workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"The {name} phase failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--port", type=int, default=21000, help="First port of the corpus.")
    parser.add_argument("--threads", type=int, default=16, help="Floor and harvest threads.")
    parser.add_argument("--reader-workers", type=int, default=8)
    parser.add_argument("--skip-reader", action="store_true")
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        urls = json.loads(Path(args.urls).read_text())
        os.environ["HUB_FETCH_THREADS"] = str(args.threads)
        if args.phase == "floor":
            result = phase_floor(urls, args.threads)
        elif args.phase == "commonground":
            result = phase_commonground(urls, args.database_url)
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
        floor = run_phase("floor", args, urls_file)
        report.figure("floor (fetch + lxml/json parse)", f"{floor['seconds']:.2f} s")
        print("Common Ground: cold, then warm ...", flush=True)
        cg = run_phase("commonground", args, urls_file)
        report.figure("database", cg["database"])
        report.figure("Common Ground cold", f"{cg['cold']:.2f} s  ({cg['cold_line']})")
        report.figure("Common Ground warm (all 304)", f"{cg['warm']:.2f} s  ({cg['warm_line']})")
        report.figure("items stored", f"{cg['items']}")
        report.figure(
            "Common Ground peak memory", f"{cg['peak_mb']:.0f} MB (all its processes together)"
        )
        report.figure("cold / floor", f"{cg['cold'] / floor['seconds']:.2f}x")
        report.target("cold harvest at most 3x the floor", cg["cold"] <= 3 * floor["seconds"])
        report.target("warm harvest under 1 s", cg["warm"] < 1.0)
        report.target("every feed answered 304 when warm", cg["warm_unchanged"] == args.feeds)
        report.target("no feed failed", cg["failed"] == 0)
        report.target("peak memory under 300 MB", cg["peak_mb"] < 300)
        if not args.skip_reader:
            print(f"reader: update_feeds(workers={args.reader_workers}) ...", flush=True)
            other = run_phase("reader", args, urls_file)
            report.figure("reader cold", f"{other['seconds']:.2f} s ({other['entries']} entries)")
            report.figure("reader / Common Ground cold", f"{other['seconds'] / cg['cold']:.1f}x")
            report.target(
                "cold harvest at least 10x faster than reader", other["seconds"] >= 10 * cg["cold"]
            )
    finally:
        server.terminate()
    report.finish()


if __name__ == "__main__":
    main()
