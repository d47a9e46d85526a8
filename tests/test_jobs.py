"""Periodic jobs: one registry the parts add to, run by a thread here without Redis and by
Celery beat and a worker with it. Every job runs on every install."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from celery.beat import PersistentScheduler
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from commonground import jobs
from commonground.celery import app
from commonground.hub import services
from commonground.hub.models import Source, SourceCheck, Waiting
from tests.hub.feedserver import FeedServer, Route
from tests.workers import beat, new_queue, routed_to, workers

DATA = Path(__file__).parent / "hub" / "data"
EMPTY_FEED = b"<rss version='2.0'><channel><title>Quiet hub</title></channel></rss>"


def test_each_part_registers_its_jobs_for_celery_beat() -> None:
    schedule = jobs.beat_schedule()
    tasks = {entry["task"] for entry in schedule.values()}
    assert "commonground.accounts.tasks.sessions_clear_expired" in tasks
    assert "commonground.hub.tasks.harvest_enqueue_due" in tasks
    assert "commonground.hub.tasks.items_relate_pending" in tasks
    app.loader.import_default_modules()  # as a worker does on start, whatever ran before
    assert tasks <= set(app.tasks), "a job names a task no worker knows"
    assert schedule["clear-expired-sessions"]["schedule"] == 6 * 60 * 60


def test_the_harvest_interval_is_a_setting_and_zero_turns_it_off() -> None:
    with override_settings(HUB_HARVEST_EVERY=5):
        assert jobs.beat_schedule()["hub-harvest-due"]["schedule"] == 300
    with override_settings(HUB_HARVEST_EVERY=0):
        assert "hub-harvest-due" not in jobs.beat_schedule()
        assert "hub-harvest-due" not in [j.name for j, _ in jobs.Runner(jobs.registered()).jobs]


def test_with_redis_the_thread_is_not_started() -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/15"):
        assert jobs.start() is None


def wait_until(condition: Callable[[], bool], *, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def expired_session() -> str:
    key = "expired0session0for0the0jobs0test"
    Session.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    return key


def hub_work(feeds: FeedServer) -> tuple[Source, list[int]]:
    """A source due a harvest whose feed has nothing new (so that harvest relates nothing),
    and items from another source that were harvested but never related: each hub job
    has something of its own to do."""
    feeds.routes["/rss20.xml"] = Route(body=(DATA / "rss20.xml").read_bytes())
    harvested = services.source_add(feed_url=feeds.url("/rss20.xml"), by=None, check_now=False)
    services.harvest_ids(ids=[harvested.pk], due_only=False)
    unrelated = list(Waiting.objects.values_list("item_id", flat=True))
    assert unrelated
    feeds.routes["/quiet.xml"] = Route(body=EMPTY_FEED)
    due = services.source_add(feed_url=feeds.url("/quiet.xml"), by=None, check_now=False)
    return due, unrelated


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_thread_runs_a_job_from_each_part(feeds: FeedServer) -> None:
    session_key = expired_session()
    due, unrelated = hub_work(feeds)
    runner = jobs.start(first_now=True)
    assert runner is not None
    try:
        assert wait_until(lambda: not Session.objects.filter(session_key=session_key).exists())
        assert wait_until(lambda: SourceCheck.objects.filter(source=due).exists())
        assert wait_until(lambda: not Waiting.objects.filter(item_id__in=unrelated).exists())
    finally:
        runner.stop()
    assert not runner.is_alive()
    assert feeds.hits["/quiet.xml"] == 1


def test_a_failing_job_is_logged_and_runs_again_without_stopping_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs = {"broken": 0, "steady": 0}
    lock = threading.Lock()

    def broken() -> None:
        with lock:
            runs["broken"] += 1
        raise RuntimeError("the mail server is down")

    def steady() -> None:
        with lock:
            runs["steady"] += 1

    schedule = [
        jobs.Job(name="broken", task=None, every=0.05, here=broken),  # type: ignore[arg-type]
        jobs.Job(name="steady", task=None, every=0.05, here=steady),  # type: ignore[arg-type]
    ]
    runner = jobs.start(jobs=schedule, first_now=True)
    assert runner is not None
    try:
        assert wait_until(lambda: runs["broken"] >= 3 and runs["steady"] >= 3, seconds=10)
        assert runner.is_alive()
    finally:
        runner.stop()
    assert "The periodic job broken failed" in caplog.text
    assert "the mail server is down" in caplog.text


def schedule_due_now(path: Path) -> None:
    """Write beat's schedule file as if every job last ran a day ago, so beat sends each
    at once when it starts rather than after its interval (six hours for some)."""
    configured = app.conf.beat_schedule
    app.conf.beat_schedule = jobs.beat_schedule()
    try:
        scheduler = PersistentScheduler(app=app, schedule_filename=str(path), lazy=False)
        for entry in scheduler.schedule.values():
            entry.last_run_at = app.now() - timedelta(days=1)
        scheduler.close()
    finally:
        app.conf.beat_schedule = configured


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_beat_and_a_worker_run_a_job_from_each_part(
    feeds: FeedServer, tmp_path: Path
) -> None:
    session_key = expired_session()
    due, unrelated = hub_work(feeds)
    queue = new_queue()
    schedule_due_now(tmp_path / "celerybeat-schedule")
    env = {"HUB_ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32", **routed_to(queue)}
    with workers(queue=queue, logs=tmp_path, env=env) as logs, beat(queue=queue, logs=tmp_path):
        done = wait_until(
            lambda: (
                not Session.objects.filter(session_key=session_key).exists()
                and SourceCheck.objects.filter(source=due).exists()
                and not Waiting.objects.filter(item_id__in=unrelated).exists()
            ),
            seconds=90,
        )
        output = logs[0].read_text() + "\n--- beat\n" + (tmp_path / "beat.log").read_text()
    assert done, output
    for task in ("sessions_clear_expired", "harvest_enqueue_due", "harvest_sources"):
        assert f"commonground.accounts.tasks.{task}" in output or f"hub.tasks.{task}" in output
    assert "items_relate_pending" in output
    assert feeds.hits["/quiet.xml"] == 1
