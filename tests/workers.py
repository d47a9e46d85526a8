"""Real Celery workers for tests: started as subprocesses on their own queue, against Redis
and the test database, and stopped afterwards whatever happened."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from celery import Task
from django.db import connection

from commonground.celery import app
from tests.conftest import need

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_is_up(url: str = REDIS_URL) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def database_url_for_worker() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@contextmanager
def workers(
    *,
    queue: str,
    logs: Path,
    count: int = 1,
    concurrency: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[list[Path]]:
    """``count`` worker processes taking tasks from ``queue``; yields their log files."""
    environment = _environment(logs=logs, env=env)
    paths = [logs / f"worker-{n}.log" for n in range(count)]
    with ExitStack() as stack:
        for n, path in enumerate(paths):
            log = stack.enter_context(path.open("w"))
            command = [sys.executable, "-m", "commonground.cli", "worker", "--queues", queue]
            command += ["--concurrency", str(concurrency), "--loglevel", "INFO"]
            command += ["--hostname", f"{queue}-{n}@%h"]
            process = subprocess.Popen(
                command, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(_stop, process)
        yield paths


@contextmanager
def beat(*, queue: str, logs: Path, env: dict[str, str] | None = None) -> Iterator[Path]:
    """``commonground scheduler`` (Celery beat) sending every task to ``queue``, with its
    schedule file in ``logs``; yields its log file. Workers started with the same ``queue``
    take what it sends, and what those tasks queue in turn."""
    environment = _environment(logs=logs, env=env) | routed_to(queue)
    path = logs / "beat.log"
    with path.open("w") as log, ExitStack() as stack:
        command = [sys.executable, "-m", "commonground.cli", "scheduler", "--loglevel", "DEBUG"]
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, process)
        yield path


def routed_to(queue: str) -> dict[str, str]:
    """Environment for a worker or beat whose tasks, sent without a queue named, go to
    ``queue`` rather than Celery's default one (tests/queue_settings.py)."""
    return {"DJANGO_SETTINGS_MODULE": "tests.queue_settings", "TEST_QUEUE": queue}


def _environment(*, logs: Path, env: dict[str, str] | None) -> dict[str, str]:
    need(redis_is_up(), f"Redis is not reachable at {REDIS_URL}")
    return {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": REDIS_URL,
        "DATA_DIR": str(logs),
        **(env or {}),
    }


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def send(task: Task, *args: Any, queue: str) -> None:
    """Put ``task(*args)`` on ``queue`` in Redis, even though tests otherwise run tasks eagerly."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(REDIS_URL) as conn:
            task.apply_async(args=args, queue=queue, connection=conn)
    finally:
        app.conf.task_always_eager = eager
