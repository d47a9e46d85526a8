"""Two real Celery workers given the same import twice: every row stored once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from commonground.accounts.models import User
from commonground.evaluation import services
from commonground.evaluation.models import Answer, EvaluationForm, ResponseImport
from commonground.evaluation.tasks import import_run
from tests.workers import new_queue, send, workers

ROWS = 40


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_store_an_import_once(
    evaluation_form: EvaluationForm, ada: User, tmp_path: Path
) -> None:
    body = "useful,confident\n" + "".join(f"{1 + n % 4},{1 + n % 3}\n" for n in range(ROWS))
    batch = services.import_upload(
        form=evaluation_form, by=ada, file_name="forty.csv", data=body.encode()
    )
    services.import_check(batch=batch, mapping=batch.mapping)
    # Accepted as the import page would, with the run left to the workers.
    ResponseImport.objects.filter(pk=batch.pk).update(
        state=ResponseImport.State.IMPORTING, accepted_by=ada
    )
    queue = new_queue()
    with workers(queue=queue, logs=tmp_path, count=2, concurrency=1) as logs:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not all("ready." in p.read_text() for p in logs):
            time.sleep(0.25)
        for _ in range(3):
            send(import_run, batch.pk, queue=queue)
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.state == ResponseImport.State.DONE:
                break
            time.sleep(0.25)
        time.sleep(1.5)  # let the other deliveries find nothing left to do
        output = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)
    batch.refresh_from_db()
    assert batch.state == ResponseImport.State.DONE, output
    assert evaluation_form.responses.count() == ROWS
    assert batch.rows_imported == ROWS
    assert Answer.objects.filter(response__form=evaluation_form).count() == 2 * ROWS
