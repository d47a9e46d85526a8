"""Helper processes for CPU-bound work: threads share one core for Python code, processes
do not. A harvest parses feeds on them and relating works out fingerprints on them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def helper_count(configured: int) -> int:
    """How many helper processes to use: ``configured`` if positive, 0 (none) if
    negative, and by default one fewer than the cores but at least two.

    None on one core, or in a daemonic process: a Celery worker's children may not
    start processes of their own.
    """
    cores = os.cpu_count() or 1
    if configured < 0 or cores < 2 or multiprocessing.current_process().daemon:
        return 0
    return configured or max(2, cores - 1)


class Helpers(ProcessPoolExecutor):
    """``count`` helper processes, forked from a fresh server process, not from this one
    with its threads and memory. Nothing is imported ahead: each helper imports what the
    work it is given needs, once."""

    def __init__(self, count: int) -> None:
        super().__init__(max_workers=count, mp_context=multiprocessing.get_context("forkserver"))
        self.count = count


def start(count: int) -> Helpers:
    return Helpers(count)
