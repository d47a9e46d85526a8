from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from commonground import jobs, parts

# Followed items the home page lists.
HOME_ITEMS = 5


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
    home_panel = "hub/includes/home_panel.html"

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
        # Harvests relate what they store; this catches up what is left (a lost task).
        jobs.every(
            120, tasks.items_relate_pending, name="hub-relate-items", here=tasks.items_relate_here
        )

    def home_context(self, request: HttpRequest, *, since: datetime) -> Mapping[str, Any]:
        from commonground.accounts.models import User
        from commonground.hub import selectors

        user = request.user
        if not isinstance(user, User):
            return {}
        follows = list(user.hub_follows.select_related("source", "sector", "theme"))
        if not follows:
            return {"follows": []}
        # Only what the panel shows: a harvested item's content can be long.
        followed = selectors.followed_items(user=user).only(
            "pk", "title", "published_at", "first_seen_at"
        )
        return {
            "follows": follows,
            "items": selectors.with_sources(followed[:HOME_ITEMS]),
            "new_count": followed.filter(first_seen_at__gt=since).count(),
        }
