from __future__ import annotations

from django.conf import settings

from commonground import jobs, parts


def _harvest_every() -> float:
    # Read when a schedule is built, not at import (STYLE.md).
    return settings.HUB_HARVEST_EVERY * 60


class HubConfig(parts.Part):
    name = "commonground.hub"
    verbose_name = "Hub"
    order = 10
    mounts = (parts.Mount("hub/", "commonground.hub.urls"),)
    redirects = {"search/": "hub:search"}
    api = "commonground.hub.api"
    demo = "commonground.hub.demo"
    nav = parts.NavEntry("Hub", "hub:index")

    def ready(self) -> None:
        from commonground.hub import tasks

        # With Celery, beat's run shares the due sources among the workers in batches;
        # in-process, one harvest takes them all at once, on its fetch threads.
        jobs.every(
            _harvest_every,
            tasks.harvest_enqueue_due,
            name="hub-harvest-due",
            here=tasks.harvest_due_here,
        )
        jobs.every(120, tasks.items_relate_pending, name="hub-relate-items")
