"""Page load benchmark, open loop: the item, list and search pages at fixed arrival rates.

    uv run python bench/pages.py                      # SQLite, 100,000 items
    uv run python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/pages.py --keep --only item   # again on the same data, one page
    uv run python bench/pages.py --keep --rates 100,200,300 --seconds 5

Fills a fresh database (as ``bench/search.py`` does; 100,000 items take about
half a minute on SQLite, longer on PostgreSQL), gives every item six related
items and one in 25 a second telling of its story (so an item's page lists
what it lists after relating), starts Common Ground's own
production server (``commonground serve``: gunicorn with its default workers,
DEBUG off, and its scheduled harvest off, as the filled database's hubs are not
real) and drives each page in turn up a ladder of arrival rates (``--rates``),
``--seconds`` at each, asking for a random item, list page or two-word search
with a filter. The baseline is ``/healthz``, the simplest view
on the same server (one ``SELECT 1``), driven up the same ladder first: it
shows what the server and the load generator can do on this machine at all.

Method. Open loop: at rate R the i-th request is due at t0 + i/R (a constant
schedule, not Poisson) and is sent then, whether or not the earlier ones have
answered, so a slow answer cannot hold the next request back. Each request
has a connection of its own: gunicorn's sync workers close every connection
after one answer, so kept-alive connections would never be reused. A
request's latency runs from the time it was due, not from when it went out,
to the last byte of the answer, so a load generator that falls behind adds to
the latency rather than hiding it (no coordinated omission). An answer other
than 200, a failed connection, or no full answer 5 s after the request was
due is an error; percentiles are over every request, a failed one at the
time it failed. Each page is warmed up for a second first, and the server
is let drain between rates.

The load generator is this one process (asyncio's event loop, or uvloop's if
it happens to be installed), sharing the machine's cores with the server. Two
figures per rate show what it costs: the send lag (how late after its due
time each request started: a generator that cannot keep up shows it here
first) and its CPU time as a share of one core (the server has the rest of
the machine), with the part outside the kernel's code. A third says how much
CPU other processes took meanwhile, in cores: on a shared machine the
figures are only as good as that one is small.

A rate is held when p95 is under 100 ms with no errors. A page stops
climbing its ladder at the first rate where p95 passes 400 ms or more than
1 % of requests fail twice running: the rates above it would only fail too.
Such a rate is tried again because on a shared machine a stall of a second
or so, seen even at rates far below what a page holds, can put one run's p95
past 400 ms; both runs are printed, and a rate counts as held if either was.

Targets (issue 18): the item and list pages hold at least 250 requests a
second and the search page at least 150, at p95 under 100 ms, with the load
generator on the same (2-core) machine. Each page's highest held rate is also
shown as a ratio to the trivial view's, which says how close a page comes to
what this server holds at all.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import random
import resource
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, percentile, tree_stats  # noqa: E402
from bench.search import FIELD_WORDS, already_loaded, bulk_load, fill  # noqa: E402

HOST = "127.0.0.1"
RATES = "25,50,100,150,200,250,300,400,500,600,800,1000,1500,2000"
THRESHOLD_MS = 100  # a rate is held at p95 under this, with no errors
GIVE_UP_MS = 4 * THRESHOLD_MS  # stop climbing a page's ladder past this p95 ...
GIVE_UP_ERRORS = 0.01  # ... or this share of errors
TIMEOUT_S = 5.0  # no full answer this long after the request was due: an error
SHARED = 0.2  # cores other processes may take before the figures are called into doubt
TRIVIAL = "trivial view (/healthz)"
TOLD_TWICE = 25  # one item in this many is a second telling of the item before it
TARGETS = {"item page": 250, "list page": 250, "search page": 150}


@dataclass
class Step:
    """What one page did at one rate."""

    rate: float
    latencies: list[float] = field(default_factory=list)  # ms, from due time, every request
    lags: list[float] = field(default_factory=list)  # ms, start after due time
    errors: Counter[str] = field(default_factory=Counter)
    answered: int = 0  # with 200
    start: float = 0.0  # the first due time, on the event loop's clock
    span: float = 0.0  # s, from the first due time to the last answer
    cpu: float = 0.0  # s, the load generator's CPU time, in the kernel's code and its own
    cpu_own: float = 0.0  # s, in its own (user) code only
    others: float = 0.0  # s, CPU time the machine spent on neither the server nor this process
    again: bool = False  # a second run at this rate, after a first far from held

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    @property
    def achieved(self) -> float:
        return self.answered / self.span if self.span else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def held(self) -> bool:
        return self.requests > 0 and not self.failed and self.p(95) < THRESHOLD_MS

    @property
    def hopeless(self) -> bool:
        return self.p(95) > GIVE_UP_MS or self.failed > GIVE_UP_ERRORS * self.requests


async def _get(port: int, path: str) -> int:
    """GET ``path`` on a new connection; the status, once the whole body has arrived."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        else:
            await reader.read()  # to where the server closes the connection, as asked
        return status
    finally:
        writer.close()


async def _request(port: int, path: str, due: float, step: Step) -> None:
    loop = asyncio.get_running_loop()
    step.lags.append((loop.time() - due) * 1000)
    try:
        async with asyncio.timeout_at(due + TIMEOUT_S):
            status = await _get(port, path)
    except TimeoutError:
        step.errors["timeout"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        step.errors[type(exc).__name__] += 1
    else:
        if status == 200:
            step.answered += 1
        else:
            step.errors[f"HTTP {status}"] += 1
    done = loop.time()
    step.latencies.append((done - due) * 1000)
    step.span = max(step.span, done - step.start)


def _machine_busy() -> float:
    """CPU seconds the machine has spent busy since it started, on all its cores."""
    with open("/proc/stat") as stat:
        ticks = [int(t) for t in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, waiting for I/O
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int) -> float:
    """CPU seconds spent so far by ``root`` and every process under it, and by this one."""
    # User and system time are the 14th and 15th fields.
    ticks = sum(int(f[11]) + int(f[12]) for f in tree_stats({root, os.getpid()}).values())
    return ticks / os.sysconf("SC_CLK_TCK")


async def _drive(
    server: int, port: int, paths: list[str], rate: float, seconds: float, rng: random.Random
) -> Step:
    """Send ``rate`` requests a second for ``seconds``, each at its due time, to the
    ``server`` process's ``port``."""
    loop = asyncio.get_running_loop()
    machine, ours = _machine_busy(), _tree_cpu(server)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    t0 = loop.time() + 0.01
    step = Step(rate, start=t0)
    tasks = set()
    for i in range(max(1, round(rate * seconds))):
        due = t0 + i / rate
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        task = asyncio.create_task(_request(port, rng.choice(paths), due, step))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    used = resource.getrusage(resource.RUSAGE_SELF)
    step.cpu_own = used.ru_utime - cpu.ru_utime
    step.cpu = step.cpu_own + used.ru_stime - cpu.ru_stime
    step.others = max(0.0, _machine_busy() - machine - (_tree_cpu(server) - ours))
    return step


async def _drain(port: int) -> None:
    """Wait until the server answers the trivial view at once again: requests that
    timed out at our end may still be queued at the server's."""
    deadline = time.monotonic() + 60
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        began = time.monotonic()
        try:
            async with asyncio.timeout(5):
                await _get(port, "/healthz")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            pass
        quick = quick + 1 if time.monotonic() - began < 0.02 else 0
        await asyncio.sleep(0.1)


async def _ladder(
    server: int, port: int, paths: list[str], rates: list[float], seconds: float
) -> tuple[list[Step], bool]:
    """The page at each rate in turn; and whether it stopped short of the top."""
    rng = random.Random(3)
    await _drive(server, port, paths, rates[0], 1.0, rng)  # warm-up: each worker's first
    await _drain(port)
    steps = []
    for rate in rates:
        for again in (False, True):
            steps.append(await _drive(server, port, paths, rate, seconds, rng))
            steps[-1].again = again
            await _drain(port)
            if not steps[-1].hopeless or rate == rates[-1]:
                break
        if steps[-1].hopeless and rate != rates[-1]:
            return steps, True
    return steps, False


def plant_neighbours(rng: random.Random) -> None:
    """Give every item its related items, and one in ``TOLD_TWICE`` a second telling of
    its story, as relating leaves a commons (the filled texts are random words, with no
    subjects for relating to find): so that an item's page lists what a user's does, six
    related items and now and then the same story elsewhere. Nothing if they are there."""
    from django.db import connection, transaction

    from commonground.hub import relate
    from commonground.hub.models import Item, Relation

    if Relation.objects.exists():
        return
    print("  planting related items and retold stories ...", flush=True)
    ids = list(Item.objects.values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), 10_000):
            rows = [
                (pk, other, rng.random())
                for pk in ids[start : start + 10_000]
                for other in set(rng.sample(ids, relate.RELATED)) - {pk}
            ]
            cursor.executemany(
                "INSERT INTO hub_relation (item_id, related_id, score) VALUES (%s, %s, %s)", rows
            )
        retold = [(ids[n - 1], ids[n]) for n in range(1, len(ids), TOLD_TWICE)]
        cursor.executemany("UPDATE hub_item SET story_id = %s WHERE id = %s", retold)


def _event_loop() -> Any:
    """uvloop's event loop when it is installed (it is not a dependency), else asyncio's."""
    try:
        return importlib.import_module("uvloop").new_event_loop
    except ImportError:
        return None


def _server_options() -> tuple[int, int]:
    """The workers and threads ``commonground serve`` starts with when given neither."""
    from commonground.management.commands.serve import Command

    options = Command().create_parser("commonground", "serve").parse_args([])
    return options.workers, options.threads


def _held(steps: list[Step]) -> float:
    return max((s.rate for s in steps if s.held), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--rates", default=RATES, help=f"Arrival rates per second, low to high (default {RATES})."
    )
    parser.add_argument("--seconds", type=float, default=10, help="At each rate (default 10).")
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
    rates = sorted(float(r) for r in args.rates.split(","))

    data = django_fresh(args.database_url, name="commonground_bench_pages", keep=args.keep)
    from django.db import connection

    from commonground.hub.models import Sector

    rng = random.Random(11)
    if not already_loaded(args.items, keep=args.keep):
        print(f"Filling the database with {args.items:,} items ...", flush=True)
        fill(1_000, rng)
        bulk_load(args.items, rng)
    plant_neighbours(rng)
    sectors = list(Sector.objects.values_list("pk", flat=True))
    vendor = connection.vendor
    connection.close()
    workers, threads = _server_options()
    loop_factory = _event_loop()
    # Django's objects live as long as this process: keep the collector off them.
    gc.collect()
    gc.freeze()

    # The server's own scheduled harvest is off: the filled database's hubs are made-up
    # addresses, and a harvest of them (every source due at first) took a core for about
    # half a minute in the middle of a run.
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DEBUG": "0",
        "HUB_HARVEST_EVERY": "0",
    }
    log = (data / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "commonground.cli", "serve", "--bind", f"{HOST}:{args.port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    report = Report(
        f"Pages, open loop: {args.seconds:g} s per rate, {args.items:,} items, {vendor}, "
        f"gunicorn with {workers} workers on {os.cpu_count()} cores"
    )
    report.figure(
        "started",
        f"{time.strftime('%Y-%m-%d %H:%M:%S %z')}, load average "
        + " ".join(f"{v:.2f}" for v in os.getloadavg()),
    )
    report.figure(
        "server",
        f"commonground serve: gunicorn, {workers} sync workers x {threads} thread(s) "
        f"(its default), on {os.cpu_count()} cores",
    )
    report.figure(
        "load generator",
        f"one process, {'uvloop' if loop_factory else 'asyncio'}, on the same machine; "
        f"constant arrivals, a new connection per request, {TIMEOUT_S:g} s timeout",
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
            TRIVIAL: ["/healthz"],
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
                if name == TRIVIAL or name.split()[0] in args.only
            }
        held: dict[str, float] = {}
        others = 0.0  # the most CPU other processes took at one rate, in cores
        for name, paths in targets.items():
            print(f"{name} ...", flush=True)
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                steps, stopped = runner.run(
                    _ladder(server.pid, args.port, paths, rates, args.seconds)
                )
            for step in steps:
                others = max(others, step.others / step.span)
                report.figure(
                    f"{name} at {step.rate:g}/s{', again' if step.again else ''}",
                    f"{step.achieved:.0f}/s answered, {step.requests:,} requests, "
                    f"{step.failed} errors; p50 {step.p(50):.0f} ms, p95 {step.p(95):.0f} ms, "
                    f"p99 {step.p(99):.0f} ms; send lag p95 {percentile(step.lags, 95):.1f} ms, "
                    f"generator CPU {step.cpu / step.span:.0%} of a core "
                    f"({step.cpu_own / step.span:.0%} outside the kernel); "
                    f"other processes {step.others / step.span:.2f} cores"
                    f"{'' if step.held else '; not held'}",
                )
                if step.errors:
                    report.figure(
                        f"{name} at {step.rate:g}/s{', again' if step.again else ''} errors",
                        ", ".join(f"{n} {kind}" for kind, n in step.errors.most_common()),
                    )
            if stopped:
                report.figure(
                    f"{name} stopped",
                    f"at {steps[-1].rate:g}/s (p95 over {GIVE_UP_MS} ms or over "
                    f"{GIVE_UP_ERRORS:.0%} errors, twice); higher rates not tried",
                )
            held[name] = _held(steps)
            if not held[name]:
                summary = "none of the rates tried"
            elif held[name] == rates[-1]:
                summary = f"at least {held[name]:g}/s (it held every rate tried)"
            else:
                summary = f"{held[name]:g}/s"
            missed = [
                f"{step.rate:g}/s{' at first' if step.rate == held[name] else ''}"
                for step in steps
                if step.rate <= held[name] and not step.held
            ]
            if missed:
                summary += f" (though not at {', '.join(missed)})"
            if name != TRIVIAL and held[name] and held.get(TRIVIAL):
                bound = "at most " if held[TRIVIAL] == rates[-1] else ""
                summary += (
                    f", {bound}{held[name] / held[TRIVIAL]:.2f}x the trivial view's "
                    f"{held[TRIVIAL]:g}/s"
                )
            report.figure(f"{name} held at p95 < {THRESHOLD_MS} ms, no errors", summary)
            if name in TARGETS:
                report.target(
                    f"{name} holds {TARGETS[name]}/s at p95 under {THRESHOLD_MS} ms, no errors",
                    held[name] >= TARGETS[name],
                )
        report.figure(
            "other processes",
            f"took up to {others:.2f} of the {os.cpu_count()} cores at one rate"
            + (
                "; the figures above understate what the server holds on a quiet machine"
                if others > SHARED
                else ""
            ),
        )
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    report.figure(
        "finished",
        f"{time.strftime('%H:%M:%S')}, load average "
        + " ".join(f"{v:.2f}" for v in os.getloadavg()),
    )
    report.finish()


if __name__ == "__main__":
    main()
