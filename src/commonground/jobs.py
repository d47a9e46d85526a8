"""Periodic jobs: each part says what to run and how often; one of two runners runs it.

A part adds its jobs from its own app, in its ``AppConfig.ready()``::

    jobs.every(6 * 60 * 60, tasks.sessions_clear_expired, name="accounts-sessions-clear")

With ``REDIS_URL`` set, ``commonground scheduler`` (Celery beat) queues each job's task
for the workers on the schedule :func:`beat_schedule` builds. Without it, ``commonground
serve`` and ``demo`` run the jobs on a thread of their own (:func:`start`), so every job
runs on every install. A job that fails is logged and tried again at its next interval.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import Task
from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

# Seconds between runs, or something that reads them (from a setting) when a schedule is
# built; zero or less turns the job off.
Seconds = float | Callable[[], float]


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: Seconds
    # What the in-process runner calls instead of the task, when the task is a Celery-only
    # way of doing the work (handing batches to workers, say).
    here: Callable[[], object] | None = None

    def interval(self) -> float:
        return float(self.every() if callable(self.every) else self.every)

    def run_here(self) -> None:
        """Run the job in this thread, on a fresh database connection, logging a failure."""
        close_old_connections()
        try:
            (self.here or self.task)()
        except Exception:
            log.exception(
                "The periodic job %s failed; it runs again at its next interval", self.name
            )
        finally:
            connection.close()


_jobs: dict[str, Job] = {}


def every(
    seconds: Seconds, task: Task, *, name: str, here: Callable[[], object] | None = None
) -> Job:
    """Run ``task`` every ``seconds``; registering a name again replaces its job."""
    job = Job(name=name, task=task, every=seconds, here=here)
    _jobs[name] = job
    return job


def registered() -> list[Job]:
    return list(_jobs.values())


def beat_schedule(jobs: Iterable[Job] | None = None) -> dict[str, dict[str, object]]:
    """The jobs as Celery beat entries. A queued run that no worker has taken by the time
    the next is due expires, so a stopped fleet does not come back to a pile of them."""
    schedule: dict[str, dict[str, object]] = {}
    for job in registered() if jobs is None else jobs:
        seconds = job.interval()
        if seconds > 0:
            schedule[job.name] = {
                "task": job.task.name,
                "schedule": seconds,
                "options": {"expires": seconds},
            }
    return schedule


class Runner(threading.Thread):
    """Runs jobs in this process, one at a time, each at its own interval."""

    def __init__(self, jobs: Iterable[Job], *, wait_for: str = "", first_now: bool = False):
        super().__init__(name="periodic-jobs", daemon=True)
        intervals = [(job, job.interval()) for job in jobs]
        self.jobs = [(job, seconds) for job, seconds in intervals if seconds > 0]
        self.wait_for = wait_for
        self.first_now = first_now
        self._stopping = threading.Event()

    def run(self) -> None:
        if self.wait_for:
            _wait_for(self.wait_for, self._stopping)
        start = time.monotonic()
        due = {job.name: start if self.first_now else start + s for job, s in self.jobs}
        while not self._stopping.is_set():
            now = time.monotonic()
            for job, seconds in self.jobs:
                if due[job.name] <= now and not self._stopping.is_set():
                    job.run_here()
                    # Counted from the end of the run: a slow job never queues up behind itself.
                    due[job.name] = time.monotonic() + seconds
            if due:
                self._stopping.wait(max(0.0, min(due.values()) - time.monotonic()))
            else:
                self._stopping.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the job that is running, if any, finishes."""
        self._stopping.set()
        self.join(timeout)


def start(
    *, wait_for: str = "", first_now: bool = False, jobs: Iterable[Job] | None = None
) -> Runner | None:
    """Run the periodic jobs on a thread of this process, unless Celery beat does
    (``REDIS_URL`` is set). ``wait_for`` (host:port) holds the first run until a server
    there answers; ``first_now`` runs every job at once rather than after its interval."""
    if settings.REDIS_URL:
        return None
    runner = Runner(registered() if jobs is None else jobs, wait_for=wait_for, first_now=first_now)
    runner.start()
    return runner


def _wait_for(addr: str, stop: threading.Event, timeout: float = 30.0) -> None:
    host, _, port = addr.rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
                return
        except OSError:
            stop.wait(0.2)
