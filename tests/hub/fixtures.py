"""The Hub's fixtures: a local feed server, three harvested hubs, and a site admin.

Loaded for every test by ``pytest_plugins`` in ``tests/conftest.py``, so the
browser tests use them too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Sector
from tests.conftest import make_person
from tests.hub.feedserver import FeedServer, Route

DATA = Path(__file__).parent / "data"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A local feed server, with the harvester allowed to reach it (and nothing else local)."""
    with (
        FeedServer() as server,
        override_settings(HUB_ALLOWED_PRIVATE_NETWORKS=["127.0.0.1/32"], HUB_FETCH_TIMEOUT=3),
    ):
        yield server


def watch_helpers(
    monkeypatch: pytest.MonkeyPatch, kills: Callable[[tuple[Any, ...], int], bool] | None = None
) -> list[tuple[Any, tuple[Any, ...]]]:
    """Each piece of work given to helper processes (lib/processes), as (function,
    arguments), in order; the work itself still runs on them. Where ``kills(arguments,
    nth)`` says so (the nth piece, from 1), the helper is killed first, so that piece
    finds the pool broken."""
    from commonground.lib import processes

    given: list[tuple[Any, tuple[Any, ...]]] = []
    submit = processes.Helpers.submit

    def watched(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        given.append((fn, args))
        if kills is not None and kills(args, len(given)):
            submit(self, os._exit, 1)
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(processes.Helpers, "submit", watched)
    return given


@pytest.fixture
def helper_work(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, tuple[Any, ...]]]:
    """:func:`watch_helpers`, killing none."""
    return watch_helpers(monkeypatch)


@pytest.fixture
def commons(feeds: FeedServer, db: None) -> FeedServer:
    """Three harvested hubs in three sectors."""
    libraries = Sector.objects.get(slug="libraries")
    health = Sector.objects.get(slug="health")
    for name, sector in (
        ("rss20.xml", libraries),
        ("atom10.xml", health),
        ("jsonfeed11.json", None),
    ):
        feeds.routes[f"/{name}"] = Route(body=(DATA / name).read_bytes())
        services.source_add(
            feed_url=feeds.url(f"/{name}"),
            by=None,
            sectors=[sector] if sector else [],
            check_now=False,
        )
    services.harvest_due()
    services.items_relate_pending()
    return feeds


@pytest.fixture
def staff(db: None) -> User:
    user = make_person("sam@example.org", "Sam Siteadmin")
    user.is_staff = True
    user.save()
    return user
