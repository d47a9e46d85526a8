"""What every benchmark needs: a fresh database, timing, memory, and a plain report.

Benchmarks are scripts, not tests: each prints its figures, the ratios against
the baseline it names, and whether each of the issue's targets was met, and
exits non-zero if one was missed.
"""

from __future__ import annotations

import os
import resource
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def django_fresh(
    database_url: str = "",
    *,
    name: str = "commonground_bench",
    keep: bool = False,
    redis_url: str = "",
) -> Path:
    """Set Django up on an empty, migrated database: SQLite in a new directory, or (with
    ``database_url``) a PostgreSQL database ``name`` on that server, dropped and made again.

    With ``redis_url``, background tasks go to Celery workers through that Redis.
    With ``keep`` the database of the last run with ``keep`` is used as it is (SQLite in
    a fixed directory named after ``name``), so a benchmark can skip loading it again.
    """
    if keep:
        data = Path(tempfile.gettempdir()) / f"cg-bench-{name}"
        data.mkdir(exist_ok=True)
    else:
        data = Path(tempfile.mkdtemp(prefix="cg-bench-"))
    os.environ["DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    if redis_url:  # background work goes to Celery workers
        os.environ["REDIS_URL"] = redis_url
    else:  # background work runs in-process, as on one machine
        os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    if database_url:
        parts = urlsplit(database_url)
        os.environ["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()
        _recreate_postgres(parts._replace(path="/postgres").geturl(), name, keep=keep)
    else:
        os.environ.pop("DATABASE_URL", None)
    # Migrated by a process of its own, as `commonground migrate` readies a database
    # before any server, worker or harvest starts: what migrating leaves in memory (a
    # Django process that has migrated is 60 MB bigger) is not the benchmark's.
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", _READY_DATABASE], check=True, env=os.environ.copy()
    )
    import django

    django.setup()
    return data


_READY_DATABASE = """
import django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
"""


def _recreate_postgres(admin_url: str, name: str, *, keep: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if keep and exists:
            return
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """The peak of the summed resident memory of this process and all its descendants
    (worker pools included), sampled every 20 ms while in use.

    A separate process samples: reading every process's ``/proc`` entry 50 times a
    second on a thread here would take the measured process's own time (its GIL).
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._watcher: subprocess.Popen[str] | None = None

    def __enter__(self) -> TreeMemory:
        self._watcher = subprocess.Popen(  # noqa: S603 - this very file
            [sys.executable, __file__, "--watch-tree", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._watcher is not None
        out, _ = self._watcher.communicate("")  # closing its input stops it
        self.peak_mb = float(out.strip() or 0) / 1024


def _watch_tree(root: int) -> None:
    """Sample the tree under ``root`` until standard input closes; print the peak in KiB.

    Finding the tree reads every process's ``stat``, which on a busy machine costs
    the benchmark CPU it is measuring, so the tree is found again only every half
    second; in between, only its processes' resident sizes are read."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    peak, members, found_at = 0, set[int](), 0.0
    while not select.select([sys.stdin], [], [], 0.02)[0]:
        if time.monotonic() - found_at > 0.5:
            # The watcher (this process) is not counted.
            members = set(tree_stats({root}, leaving_out=os.getpid()))
            found_at = time.monotonic()
        resident = 0
        for pid in members:
            try:
                with open(f"/proc/{pid}/statm", "rb") as statm:
                    resident += int(statm.read().split()[1]) * page_kb
            except OSError:
                continue  # ended since
        peak = max(peak, resident)
    print(peak)


def tree_stats(roots: set[int], leaving_out: int = 0) -> dict[int, list[bytes]]:
    """The ``/proc/<pid>/stat`` fields (those after the command's closing bracket: state,
    parent, ...) of ``roots`` and every process under them, except ``leaving_out`` and
    what runs under it."""
    parents: dict[int, int] = {}
    stats: dict[int, list[bytes]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        stats[pid] = fields
    mine = {}
    for pid, fields in stats.items():
        walk = pid
        while walk and walk not in roots and walk != leaving_out:
            walk = parents.get(walk, 0)
        if walk in roots:
            mine[pid] = fields
    return mine


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class Report:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def figure(self, label: str, value: str) -> None:
        self.rows.append((label, value))
        print(f"  {label}: {value}", flush=True)

    def target(self, label: str, met: bool) -> None:
        self.checks.append((label, met))

    def finish(self) -> None:
        width = max((len(label) for label, _ in self.rows), default=10)
        print(f"\n{self.title}")
        print("-" * len(self.title))
        for label, value in self.rows:
            print(f"{label.ljust(width)}  {value}")
        print()
        for label, met in self.checks:
            print(f"[{'met' if met else 'MISSED'}] {label}")
        sys.stdout.flush()
        if not all(met for _, met in self.checks):
            sys.exit(1)


if __name__ == "__main__" and sys.argv[1:2] == ["--watch-tree"]:
    _watch_tree(int(sys.argv[2]))
