"""Harvest on a schedule inside this process, for the demo and one-machine installs.

With ``REDIS_URL`` set, Celery beat does this instead (``harvest_enqueue_due``).
Claims make it safe either way: a source held by one harvester is skipped by
every other.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)


def _wait_for(addr: str, timeout: float = 30.0) -> None:
    host, _, port = addr.rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def _harvest_once() -> None:
    from commonground.hub import services

    close_old_connections()
    try:
        summary = services.harvest_due()
        if summary.checked:
            log.info("Scheduled harvest: %s", summary.line())
        services.items_relate_pending()
    except Exception:
        log.exception("The scheduled harvest failed; trying again at the next interval")
    finally:
        connection.close()


def start(*, wait_for: str = "", first_now: bool = False) -> threading.Thread | None:
    """Start the in-process schedule (unless Celery handles it, or HUB_HARVEST_EVERY is 0)."""
    every = settings.HUB_HARVEST_EVERY * 60
    if settings.REDIS_URL or every <= 0:
        return None

    def run() -> None:
        if wait_for:
            _wait_for(wait_for)
        if first_now:
            _harvest_once()
        while True:
            time.sleep(every)
            _harvest_once()

    thread = threading.Thread(target=run, name="hub-harvest-schedule", daemon=True)
    thread.start()
    return thread
