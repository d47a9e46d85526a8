"""Queue background work the one way the project does it.

A task takes ids, never model instances, and is queued only when the
surrounding transaction commits, so a worker never looks for a row that is
not there yet (or that a rollback removed).
"""

from __future__ import annotations

import logging

from celery import Task
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task: Task, *args: int | str) -> None:
    """Run ``task(*args)`` after the current transaction commits.

    With Celery workers (``REDIS_URL`` set) the task is sent to the broker.
    In-process, a failing task is logged rather than breaking the request
    whose work has already been committed.
    """

    def send() -> None:
        task.apply_async(args=args)

    transaction.on_commit(send, robust=bool(settings.CELERY_TASK_ALWAYS_EAGER))
