"""One task layer: in-process after commit by default, a real Celery worker with Redis."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from commonground.accounts.models import Invitation, Organisation, User
from commonground.accounts.tasks import invitation_email_send
from commonground.lib.tasks import enqueue
from tests.workers import new_queue, send, workers

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_runs_a_queued_task(
    ada: User, riverside: Organisation, tmp_path: Path
) -> None:
    invitation = waiting_invitation(riverside, ada)
    queue = new_queue()
    mail_dir = tmp_path / "mail"
    with workers(queue=queue, logs=tmp_path, env={"EMAIL_URL": f"file://{mail_dir}"}) as logs:
        send(invitation_email_send, invitation.pk, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            invitation.refresh_from_db()
            if invitation.sent_at is not None:
                break
            time.sleep(0.25)
        output = logs[0].read_text()
        assert invitation.sent_at is not None, f"the worker did not run the task:\n{output}"
        sent = list(mail_dir.iterdir())
        assert len(sent) == 1
        assert "queued@example.org" in sent[0].read_text()
        assert "invitation_email_send" in output
