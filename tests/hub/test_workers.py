"""Two real Celery workers harvesting the same sources: no double fetch, no duplicate item."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from redis import Redis

from commonground.hub.models import Carriage, Fingerprint, Item, Source, SourceCheck, Waiting
from commonground.hub.services import source_add
from commonground.hub.tasks import harvest_sources
from tests.hub.feedserver import FeedServer, Route
from tests.workers import REDIS_URL, new_queue, routed_to, send, workers

SOURCES = 12
ENTRIES = 5


def feed(n: int) -> bytes:
    """A feed of its own entries plus one story every hub carries (a race on one item)."""
    entries = [(f"https://hub{n}.example/post/{e}", f"Hub {n} post {e}") for e in range(ENTRIES)]
    entries.append(("https://shared.example/the-story?utm_source=hub" + str(n), "Shared story"))
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>Words about {title}.</description>"
        "<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>"
        for link, title in entries
    )
    return f"<rss version='2.0'><channel><title>Hub {n}</title>{items}</channel></rss>".encode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_sources_without_doing_anything_twice(
    feeds: FeedServer, tmp_path: Path
) -> None:
    for n in range(SOURCES):
        # Slow answers keep both workers busy at once, so their claims really overlap.
        feeds.routes[f"/hub{n}.xml"] = Route(body=feed(n), delay=0.3)
        source_add(feed_url=feeds.url(f"/hub{n}.xml"), by=None, check_now=False)
    ids = list(Source.objects.values_list("pk", flat=True))
    queue = new_queue()
    # The relating tasks each harvest queues go to the same queue.
    env = {"HUB_ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32", **routed_to(queue)}
    with workers(queue=queue, logs=tmp_path, count=2, concurrency=2, env=env) as logs:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not all("ready." in p.read_text() for p in logs):
            time.sleep(0.25)
        # As if two beats had queued every source: each is named by three tasks, and
        # two overlapping batches name them all.
        for _ in range(2):
            for pk in ids:
                send(harvest_sources, pk, queue=queue)
        send(harvest_sources, *ids, queue=queue)
        send(harvest_sources, *reversed(ids), queue=queue)
        redis = Redis.from_url(REDIS_URL)
        while time.monotonic() < deadline:
            done = (
                SourceCheck.objects.count() >= SOURCES
                and redis.llen(queue) == 0
                and not Waiting.objects.exists()
            )
            running = Source.objects.filter(claim_token__gt="").exists()
            if done and not running:
                break
            time.sleep(0.25)
        time.sleep(1)  # let any last task finish finding nothing to claim
        output = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)
        assert SourceCheck.objects.count() == SOURCES, output
    assert sorted(feeds.hits.values()) == [1] * SOURCES, "a source was fetched twice"
    assert Item.objects.count() == SOURCES * ENTRIES + 1
    assert Item.objects.filter(title="Shared story").count() == 1
    assert Carriage.objects.count() == SOURCES * (ENTRIES + 1)
    assert all(s.last_outcome == Source.Outcome.OK for s in Source.objects.all())
    harvested = [p.read_text().count("Harvested:") for p in logs]
    # What they stored, the workers related too, in batches queued by the harvests.
    assert not Waiting.objects.exists(), output
    assert Fingerprint.objects.count() == Item.objects.count()
    assert "items_relate_batch" in output
    assert all(harvested), f"each worker should have taken tasks: {harvested}"
