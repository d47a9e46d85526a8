"""Page load benchmark: 32 clients for 30 s on the item, list and search pages.

    uv run python bench/pages.py                      # SQLite, 100,000 items
    uv run python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/pages.py --keep --only item   # again on the same data, one page

Fills a fresh database (as ``bench/search.py`` does), starts Common Ground's
own production server (``commonground serve``: gunicorn, DEBUG off) and, for
each page in turn, keeps ``--clients`` connections busy for ``--seconds``,
each asking for a random item, list page or two-word search with a filter
as soon as its last answer arrives. The baseline is ``/healthz``, the
simplest view on the same server (one ``SELECT 1``): each page's throughput
is shown as a ratio to it.

Targets (issue 3): no errors, p95 under 100 ms on the item, list and search pages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, percentile  # noqa: E402
from bench.search import FIELD_WORDS, already_loaded, bulk_load, fill  # noqa: E402

HOST = "127.0.0.1"


async def _get(
    port: int, path: str, connection: list[asyncio.StreamReader | asyncio.StreamWriter]
) -> int:
    """GET ``path`` over a kept-alive connection (opened again if the server closed it)."""
    if not connection:
        connection.extend(await asyncio.open_connection(HOST, port))
    reader, writer = connection  # type: ignore[misc]
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())  # type: ignore[union-attr]
    head = await reader.readuntil(b"\r\n\r\n")  # type: ignore[union-attr]
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))  # type: ignore[union-attr]
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)  # type: ignore[union-attr]
            await reader.readexactly(size + 2)  # type: ignore[union-attr]
            if size == 0:
                break
    if headers.get("connection", "").lower() == "close":
        writer.close()  # type: ignore[union-attr]
        connection.clear()
    return status


async def _load(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    rng = random.Random(3)

    async def client() -> None:
        connection: list[asyncio.StreamReader | asyncio.StreamWriter] = []
        while time.perf_counter() < stop:
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                status = await _get(port, path, connection)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{path}: {type(exc).__name__}")
                connection.clear()
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if status != 200:
                errors.append(f"{path}: {status}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "rate": len(latencies) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the filled database for the next run with --keep, and use the last one's "
        "if it holds --items items (to time changes to the pages without filling it again).",
    )
    parser.add_argument(
        "--only",
        choices=["item", "list", "search"],
        action="append",
        help="Time only this page (and the trivial view); give it more than once for more.",
    )
    args = parser.parse_args()

    data = django_fresh(args.database_url, name="commonground_bench_pages", keep=args.keep)
    from django.db import connection

    from commonground.hub.models import Sector

    rng = random.Random(11)
    if not already_loaded(args.items, keep=args.keep):
        print(f"Filling the database with {args.items:,} items ...", flush=True)
        fill(1_000, rng)
        bulk_load(args.items, rng)
    sectors = list(Sector.objects.values_list("pk", flat=True))
    vendor = connection.vendor
    connection.close()

    env = {**os.environ, "ALLOWED_HOSTS": "localhost,127.0.0.1", "DEBUG": "0"}
    log = (data / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "commonground.cli", "serve", "--bind", f"{HOST}:{args.port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    report = Report(
        f"Pages: {args.clients} clients x {args.seconds:.0f} s each, {args.items:,} items, {vendor}"
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{args.port}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit(f"The server did not start:\n{(data / 'server.log').read_text()}")
                time.sleep(0.5)
        words = FIELD_WORDS
        rng = random.Random(12)  # the same requests whether or not the database was kept
        targets = {
            "trivial view (/healthz)": ["/healthz"],
            "item page": [f"/hub/items/{rng.randint(1, args.items)}/" for _ in range(5000)],
            "list page": ["/hub/"] + [f"/hub/?page={rng.randint(2, 50)}" for _ in range(200)],
            "search page": [
                f"/hub/search/?q={a}+{b}&sector={rng.choice(sectors)}"
                for a, b in (rng.sample(words, 2) for _ in range(2000))
            ],
        }
        if args.only:
            targets = {
                name: paths
                for name, paths in targets.items()
                if name.startswith("trivial") or name.split()[0] in args.only
            }
        rates: dict[str, float] = {}
        for name, paths in targets.items():
            print(f"{name} ...", flush=True)
            result = asyncio.run(_load(args.port, paths, args.clients, args.seconds))
            latencies: list[float] = result["latencies"]  # type: ignore[assignment]
            errors: list[str] = result["errors"]  # type: ignore[assignment]
            rate: float = result["rate"]  # type: ignore[assignment]
            rates[name] = rate
            ratio = (
                f", {rate / rates['trivial view (/healthz)']:.2f}x the trivial view"
                if rates
                else ""
            )
            report.figure(
                name,
                f"{len(latencies):,} requests, {len(errors)} errors, {rate:.0f}/s{ratio}; "
                f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
                f"p99 {percentile(latencies, 99):.0f} ms",
            )
            if errors:
                report.figure(f"{name} first errors", "; ".join(errors[:3]))
            if name != "trivial view (/healthz)":
                report.target(f"{name}: no errors", not errors)
                report.target(f"{name}: p95 under 100 ms", percentile(latencies, 95) < 100)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    report.finish()


if __name__ == "__main__":
    main()
