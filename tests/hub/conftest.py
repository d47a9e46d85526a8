from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from tests.hub.feedserver import FeedServer


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A local feed server, with the harvester allowed to reach it (and nothing else local)."""
    with (
        FeedServer() as server,
        override_settings(HUB_ALLOWED_PRIVATE_NETWORKS=["127.0.0.1/32"], HUB_FETCH_TIMEOUT=3),
    ):
        yield server
