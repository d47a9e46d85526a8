"""Helper processes for CPU-bound work: threads share one core for Python code, processes
do not. A harvest parses feeds on them and relating works out fingerprints on them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def helper_count(configured: int) -> int:
    """How many helper processes to use: ``configured`` if positive, 0 (none) if
    negative, and by default one fewer than the cores (one is left to the process that
    gives them work) but at least two: parsing is about three fifths of a cold
    harvest's work, so on two cores one parser kept the storing process waiting.

    None on one core, or in a daemonic process: a Celery worker's children may not
    start processes of their own.
    """
    available = cores()
    if configured < 0 or available < 2 or multiprocessing.current_process().daemon:
        return 0
    return configured or max(2, available - 1)


class Helpers(ProcessPoolExecutor):
    """``count`` helper processes, forked from a fresh server process, not from this one
    with its threads and memory. Nothing is imported ahead: each helper imports what the
    work it is given needs, once."""

    def __init__(self, count: int) -> None:
        super().__init__(max_workers=count, mp_context=multiprocessing.get_context("forkserver"))
        self.count = count


def start(count: int) -> Helpers:
    return Helpers(count)
