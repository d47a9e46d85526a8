"""The peak memory a piece of work adds to this process, as Linux counts it.

``ru_maxrss`` only ever rises, so it cannot measure one step of a test run. Linux
lets a process reset its high-water mark instead: writing "5" to
``/proc/self/clear_refs`` sets ``VmHWM`` back to the current resident size, and
``VmHWM`` afterwards is the peak since (proc(5)).
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import need

CLEAR_REFS = Path("/proc/self/clear_refs")
STATUS = Path("/proc/self/status")


@dataclass
class Growth:
    mb: float = 0.0


def _kb(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    # Memory freed earlier but still held by the allocator would be reused unseen: hand it
    # back first, so that what the block uses shows as growth.
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the figure may only be lower than the truth
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def peak_growth() -> Iterator[Growth]:
    """How far the resident memory rose above where it was, at its highest, inside the block."""
    need(_reset_peak(), "measuring peak memory needs a writable /proc/self/clear_refs (Linux)")
    before = _kb("VmRSS")
    growth = Growth()
    try:
        yield growth
    finally:
        growth.mb = (_kb("VmHWM") - before) / 1024
