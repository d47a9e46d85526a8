"""One task layer: in-process after commit by default, a real Celery worker with Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from commonground.accounts.models import Invitation, Organisation, User
from commonground.accounts.tasks import invitation_email_send
from commonground.celery import app
from commonground.lib.tasks import enqueue
from tests.conftest import need

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def waiting_invitation(organisation: Organisation, by: User) -> Invitation:
    return Invitation.objects.create(
        organisation=organisation,
        email="queued@example.org",
        role="member",
        invited_by=by,
        expires=timezone.now() + timedelta(days=3),
    )


@pytest.mark.django_db
def test_in_process_task_runs_only_when_the_transaction_commits(
    ada: User, riverside: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    invitation = waiting_invitation(riverside, ada)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(invitation_email_send, invitation.pk)
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert mail.outbox[0].to == ["queued@example.org"]


@pytest.mark.django_db
def test_a_failing_in_process_task_does_not_break_the_request(
    ada: User,
    riverside: Organisation,
    django_capture_on_commit_callbacks: Capture,
    settings: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    invitation = waiting_invitation(riverside, ada)
    settings.EMAIL_BACKEND = "tests.test_tasks.BrokenMailBackend"  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(invitation_email_send, invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert "mail server said no" in caplog.text


class BrokenMailBackend:
    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ValueError("mail server said no")


def test_periodic_tasks_name_real_tasks() -> None:
    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def redis_is_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def database_url_for_worker() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_runs_a_queued_task(
    ada: User, riverside: Organisation, tmp_path: Path
) -> None:
    need(redis_is_up(REDIS_URL), f"Redis is not reachable at {REDIS_URL}")
    invitation = waiting_invitation(riverside, ada)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"file://{mail_dir}",
        "DATA_DIR": str(tmp_path),
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commonground.cli",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        try:
            with app.connection_for_write(REDIS_URL) as conn:
                invitation_email_send.apply_async(
                    args=[invitation.pk], queue=queue, connection=conn
                )
        finally:
            app.conf.task_always_eager = eager
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            invitation.refresh_from_db()
            if invitation.sent_at is not None:
                break
            time.sleep(0.25)
        output = (tmp_path / "worker.log").read_text()
        assert invitation.sent_at is not None, f"the worker did not run the task:\n{output}"
        sent = list(mail_dir.iterdir())
        assert len(sent) == 1
        assert "queued@example.org" in sent[0].read_text()
        assert "invitation_email_send" in output
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
