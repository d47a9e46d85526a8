"""Background work for the Hub. Each task takes ids, loads fresh rows, and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task

from commonground.hub import services

log = logging.getLogger(__name__)

BATCH = 25


@shared_task
def harvest_sources(*ids: int) -> None:
    """Harvest these sources; ones another worker holds, or already checked this interval,
    are skipped."""
    summary = services.harvest_ids(ids=[int(i) for i in ids])
    log.info("Harvested: %s", summary.line())
    if summary.new_items or summary.updated_items:
        items_relate_pending.delay()


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


@shared_task
def items_relate_pending() -> int:
    return services.items_relate_pending()
