"""Queue background work the one way the project does it.

A task takes ids, never model instances, and is queued only when the
surrounding transaction commits, so a worker never looks for a row that is
not there yet (or that a rollback removed).
"""

from __future__ import annotations

from celery import Task
from django.db import transaction


def enqueue(task: Task, *args: int | str) -> None:
    """Run ``task(*args)`` after the current transaction commits.

    With Celery workers (``REDIS_URL`` set) the task is sent to the broker;
    in-process, it runs here. Either way, a failure (a task that raises, a
    broker that cannot be reached) is logged rather than breaking a request
    whose work is already saved; the service's own records show what is
    still to do (an invitation with no ``sent_at`` can be sent again).
    """

    def send() -> None:
        task.apply_async(args=args)

    transaction.on_commit(send, robust=True)
