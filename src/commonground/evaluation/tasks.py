"""Background work for evaluation. Each task takes ids, loads fresh rows, and calls a service."""

from __future__ import annotations

from celery import shared_task

from commonground.evaluation import services


@shared_task
def import_run(batch_id: int) -> int:
    """Store an accepted import's rows; safe to run again after a worker stops part-way."""
    return services.import_run(batch_id=int(batch_id)).rows_imported


@shared_task
def registers_sync() -> int:
    """Keep activities linked to meetings in Groups up to date with their registers."""
    return services.registers_sync()
