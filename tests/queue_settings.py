"""Settings for the worker and beat processes a test starts (``tests.workers.routed_to``):
the project's own, with tasks sent without a queue named going to the test's queue, so
tests that share a Redis never take each other's tasks."""

from __future__ import annotations

import os

from commonground.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_QUEUE"]
