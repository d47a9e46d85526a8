"""Frameworks benchmark: a large round's results, change over many rounds, and a live
workshop of 60 phones saving at once.

    uv run python bench/frameworks.py
    uv run python bench/frameworks.py --database-url postgres://postgres@127.0.0.1:5432/postgres

A framework of 40 statements (five dimensions of eight, on a five-point scale) is loaded.
Then:

- results: a round of 200 raters, each rating all 40 statements (8,000 ratings), worked
  out as the round page does (``selectors.results``): the median of 7 runs;
- change: 20 rounds like it (160,000 ratings) followed statement by statement, as the
  change page does (``selectors.change``): the median of 3 runs;
- a live session: Common Ground's production server (``commonground serve``) and 60
  raters who joined by link. All 60 post their 40 ratings at the same moment (from one
  event loop), five times over (300 saves, each timed from connecting to the answer);
  then each phone asks every
  second whether the ratings are revealed, as the rating page does, and the facilitator
  reveals: the time until the last phone has seen it.

Targets (issue 16): results under 100 ms; change over 20 rounds under 1 s; a save p95
under 200 ms with 60 at once; the reveal seen by every phone within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, percentile  # noqa: E402

HOST = "127.0.0.1"
DIMENSIONS = 5
PER_DIMENSION = 8
RATERS = 200
ROUNDS = 20
PHONES = 60
SAVES_EACH = 5


def framework_file() -> bytes:
    lines = [
        "id: bench-framework", "title: Bench framework", "version: 1", "licence: CC BY 4.0",
        "attribution: Made up for the benchmark.", "language: en-GB", "scale:", "  points:",
    ]  # fmt: skip
    lines += [f"    - {{value: {v}, label: Point {v}}}" for v in range(1, 6)]
    lines += ["  dont_know: true", "dimensions:"]
    for d in range(DIMENSIONS):
        lines += [f"  - id: dimension-{d}", f"    title: Dimension {d}", "    statements:"]
        for s in range(PER_DIMENSION):
            lines += [
                f"      - id: statement-{d}-{s}",
                f"        text: We do the thing numbered {d}.{s} well and often.",
                '        prompts: ["What would help?"]',
            ]
    return "\n".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    data = django_fresh(args.database_url, name="commonground_bench_frameworks")

    from django.db import connection
    from django.utils import timezone

    from commonground.accounts.models import Organisation, User
    from commonground.frameworks import selectors, services
    from commonground.frameworks.content import read_bytes
    from commonground.frameworks.models import FrameworkVersion, Rater, Rating, Round

    report = Report(f"Frameworks: {DIMENSIONS * PER_DIMENSION} statements, {connection.vendor}")
    services.framework_load(read_bytes("bench.yaml", framework_file()))
    version = FrameworkVersion.objects.get()
    statements = list(version.statements.order_by("position"))
    partnership = Organisation.objects.create(name="Bench partnership", slug="bench")
    facilitator = User.objects.create_user(email="facilitator@bench.example.org", name="F")
    rng = random.Random(16)
    began = timezone.now() - timezone.timedelta(days=ROUNDS * 30)

    print(f"Storing {ROUNDS} rounds of {RATERS} raters ...", flush=True)
    rounds = []
    for n in range(ROUNDS):
        made = services.round_open(
            organisation=partnership, version=version, title=f"Round {n + 1}", by=facilitator
        )
        Round.objects.filter(pk=made.pk).update(created_at=began + timezone.timedelta(days=30 * n))
        raters = Rater.objects.bulk_create(
            [Rater(round=made, name=f"Rater {i}", role=f"Role {i % 4}") for i in range(RATERS)]
        )
        Rating.objects.bulk_create(
            [
                Rating(
                    rater=r,
                    statement=s,
                    value=None
                    if rng.random() < 0.03
                    else max(1, min(5, round(rng.gauss(2 + n / ROUNDS * 2, 1)))),
                    dont_know=False,
                )  # fmt: skip
                for r in raters
                for s in statements
            ],
            batch_size=5000,
        )
        Rating.objects.filter(rater__round=made, value__isnull=True).update(dont_know=True)
        services.round_reveal(round=made)
        rounds.append(made)
    last = Round.objects.get(pk=rounds[-1].pk)

    timings = []
    for _ in range(7):
        t = time.perf_counter()
        found = selectors.results(last)
        timings.append(time.perf_counter() - t)
    took = statistics.median(timings)
    report.figure(
        f"results, {RATERS} raters x {len(statements)} statements",
        f"{took * 1000:.0f} ms ({sum(s.spread.n for s in found.statements):,} ratings)",
    )
    report.target("results under 100 ms", took < 0.1)
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        change = selectors.change(last)
        timings.append(time.perf_counter() - t)
    took = statistics.median(timings)
    report.figure(
        f"change over {len(change.rounds)} rounds",
        f"{took * 1000:.0f} ms ({ROUNDS * RATERS * len(statements):,} ratings)",
    )
    report.target(f"change over {ROUNDS} rounds under 1 s", took < 1)

    live = services.round_open(
        organisation=partnership, version=version, title="Live", by=facilitator
    )
    phones = Rater.objects.bulk_create(
        [Rater(round=live, name=f"Phone {i}") for i in range(PHONES)]
    )
    tokens = [p.token for p in phones]
    connection.close()
    _live(args.port, data, tokens, [s.key for s in statements], live.pk, report)
    report.finish()


def _live(
    port: int, data: Path, tokens: list[str], keys: list[str], round_pk: int, report: Report
) -> None:
    env = {**os.environ, "DEBUG": "0"}
    log = (data / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "commonground.cli", "serve", "--bind", f"{HOST}:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit(f"The server did not start:\n{(data / 'server.log').read_text()}")
                time.sleep(0.5)
        phones = [_Phone(port, token) for token in tokens]
        for phone in phones:
            phone.open_page()
        saves: list[float] = []
        failures: list[str] = []
        rng = random.Random(17)
        # Each round of saves: every phone sends at the same moment. The requests are made
        # beforehand and sent from one event loop, so the load generator (on the same two
        # cores) adds as little of its own time as it can.
        for _ in range(SAVES_EACH):
            requests = [
                phone.save_request(keys, [rng.randint(1, 5) for _ in keys]) for phone in phones
            ]
            answers = asyncio.run(_all_at_once(port, requests))
            saves += [took for took, _ in answers]
            failures += [str(status) for _, status in answers if status != 303]
        report.figure(
            f"{len(saves)} saves, {len(phones)} at once",
            f"p50 {statistics.median(saves) * 1000:.0f} ms, "
            f"p95 {percentile(saves, 95) * 1000:.0f} ms, "
            f"max {max(saves) * 1000:.0f} ms, {len(failures)} failed",
        )
        report.target("a save p95 under 200 ms with 60 at once", percentile(saves, 95) < 0.2)
        report.target("every save answered", not failures)

        seen: list[float] = []
        revealed_at: list[float] = []
        stop = time.monotonic() + 10

        def watch(phone: _Phone) -> None:
            time.sleep(random.random())  # phones ask on their own second, not in step
            while time.monotonic() < stop:
                asked = time.monotonic()
                if phone.revealed():
                    seen.append(time.monotonic())
                    return
                time.sleep(max(0.0, 1 - (time.monotonic() - asked)))

        watchers = [threading.Thread(target=watch, args=(p,)) for p in phones]
        for w in watchers:
            w.start()
        time.sleep(2)
        from commonground.frameworks import services
        from commonground.frameworks.models import Round

        revealed_at.append(time.monotonic())
        services.round_reveal(round=Round.objects.get(pk=round_pk))
        for w in watchers:
            w.join()
        late = max(seen) - revealed_at[0] if len(seen) == len(phones) else float("inf")
        report.figure(
            "reveal seen by every phone",
            f"{late:.2f} s after it ({len(seen)} of {len(phones)} phones, asking every second)",
        )
        report.target("the reveal seen by every phone within 2 s", late < 2)
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _send(port: int, request: bytes) -> tuple[float, int]:
    began = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if length:
        await reader.readexactly(int(length.group(1)))
    took = time.perf_counter() - began
    writer.close()
    return took, status


async def _all_at_once(port: int, requests: list[bytes]) -> list[tuple[float, int]]:
    return list(await asyncio.gather(*(_send(port, r) for r in requests)))


class _Phone:
    """One rater's phone: a cookie jar of one CSRF cookie, and a kept-alive connection."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.cookie = self.csrf = ""

    def _request(self, method: str, path: str, body: str = "") -> tuple[int, str, Any]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Host": "localhost", "Cookie": self.cookie}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        return response.status, text, response

    def open_page(self) -> None:
        status, text, response = self._request("GET", f"/frameworks/rate/{self.token}/")
        assert status == 200, status  # noqa: S101
        cookie = response.getheader("Set-Cookie", "")
        self.cookie = cookie.split(";", 1)[0]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert found is not None  # noqa: S101
        self.csrf = found.group(1)

    def save_request(self, keys: list[str], values: list[int]) -> bytes:
        """The whole HTTP request a phone sends to save its ratings."""
        from urllib.parse import urlencode

        body = urlencode(
            {"csrfmiddlewaretoken": self.csrf}
            | {f"rate-{k}": str(v) for k, v in zip(keys, values, strict=True)}
        ).encode()
        head = (
            f"POST /frameworks/rate/{self.token}/ HTTP/1.1\r\nHost: localhost\r\n"
            f"Cookie: {self.cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + body

    def revealed(self) -> bool:
        _, text, _ = self._request("GET", f"/frameworks/rate/{self.token}/status/")
        return "see the results" in text


if __name__ == "__main__":
    main()
