"""Background work for the Hub. Each task takes ids, loads fresh rows, and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task

from commonground.hub import relate, services

log = logging.getLogger(__name__)

BATCH = 25


@shared_task
def harvest_sources(*ids: int) -> None:
    """Harvest these sources (ones another worker holds, or already checked this interval,
    are skipped), then queue what they stored for relating, in batches."""
    summary = services.harvest_ids(ids=[int(i) for i in ids])
    log.info("Harvested: %s", summary.line())
    items_relate_share(summary.new_items + summary.updated_items)


@shared_task
def harvest_enqueue_due() -> int:
    """Celery beat's minute: share the due sources among the workers in batches."""
    ids = services.due_source_ids()
    for start in range(0, len(ids), BATCH):
        harvest_sources.delay(*ids[start : start + BATCH])
    return len(ids)


def harvest_due_here() -> None:
    """The in-process schedule's harvest (no Celery workers): every due source in one
    batch, on this process's fetch threads, which is faster than batches of ``BATCH``."""
    summary = services.harvest_due()
    if summary.checked:
        log.info("Scheduled harvest: %s", summary.line())


def items_relate_share(count: int) -> None:
    """Queue one task per ``relate.BATCH`` of ``count`` waiting items, for any worker."""
    for _ in range(0, count, relate.BATCH):
        items_relate_batch.delay()


@shared_task
def items_relate_batch() -> int:
    """Relate one batch of waiting items (the next ones no other worker is relating)."""
    return services.items_relate_batch()


@shared_task
def items_relate_pending() -> int:
    """Celery beat's catch-up: share out whatever still waits (items of a task that was
    lost, or stored while no worker ran)."""
    waiting = relate.waiting_count()
    items_relate_share(waiting)
    return waiting


def items_relate_here() -> None:
    """The in-process schedule's relating (no Celery workers): everything waiting, now."""
    done = services.items_relate_pending()
    if done.related:
        log.info("Related %s items in %.1f s", done.related, done.seconds)
