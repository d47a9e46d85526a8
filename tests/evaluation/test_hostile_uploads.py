"""Hostile uploads through the real pages, as Ada: each file an attacker might send to cost
the server its memory or a crash, with the process's peak memory measured around it.

Each file goes as far as it gets through upload, matching and checking, the rejected-rows
download and the import, and must end in its own plain sentence, store nothing, and
raise the process's peak memory by less than ``allowed()``: 32 MB for the pages
themselves, plus six times the file, which passes through whole a few times (the test
client builds the request body from it, the server reads the uploaded file, keeps a copy
and reads that back at each step). Reading the file may add nothing that grows with what
it declares or unpacks to. Before the files were read as streams, these cost from 70 MB
to several gigabytes each; the figures are in the commit that added this test.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from commonground.evaluation.models import (
    Answer,
    Code,
    Coding,
    EvaluationForm,
    Programme,
    Response,
    ResponseImport,
)
from tests.evaluation import hostile
from tests.memory import peak_growth

pytestmark = pytest.mark.django_db

FIXED_MB = 32


def allowed(data: bytes) -> float:
    return FIXED_MB + 6 * len(data) / 2**20


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[], bytes]
    says: str | Callable[[bytes], str]  # the sentence shown, or how to make it from the file

    def __str__(self) -> str:
        return self.name

    def made(self) -> tuple[bytes, str]:
        """The file, and the sentence it must end in."""
        data = self.make()
        return data, self.says(data) if callable(self.says) else self.says


def _unpacks(then: str) -> Callable[[bytes], str]:
    """The refusal of a zip bomb: what the file unpacks to, the limit, then what to do."""

    def says(data: bytes) -> str:
        size = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        return f"The file unpacks to {size / 1e6:.1f} MB; at most 100.0 MB can be read. {then}"

    return says


SAVE_AS_CSV = "Save it as CSV, or split it into smaller files."
NOT_A_SPREADSHEET = (
    "The file is not a spreadsheet Common Ground can open. Save it again as .xlsx or CSV."
)
SPREADSHEETS = [
    Hostile(
        "far-cell.xlsx",
        lambda: hostile.kept("far-cell.xlsx"),
        "Row 1,048,576 is past the 200,000 rows of responses one import takes. Split the "
        "file into smaller ones, or delete anything below the responses.",
    ),
    Hostile("strings-bomb.xlsx", hostile.strings_bomb_xlsx, _unpacks(SAVE_AS_CSV)),
    Hostile("sheet-bomb.xlsx", hostile.sheet_bomb_xlsx, _unpacks(SAVE_AS_CSV)),
    Hostile("billion-laughs.xlsx", lambda: hostile.kept("billion-laughs.xlsx"), NOT_A_SPREADSHEET),
    Hostile(
        "many-cells.csv",
        hostile.many_cells_csv,
        "No row can be imported as the columns are matched. Change the matches, or fix the "
        "file and upload it again.",
    ),
    Hostile(
        "enormous-cell.csv",
        hostile.enormous_cell_csv,
        "Row 2 holds more than 32,767 characters, the most a cell can hold (as in Excel). "
        "Shorten it and upload the file again.",
    ),
    Hostile(
        "enormous-line.csv",
        hostile.enormous_line_csv,
        "Row 2 is longer than 1,000,000 characters, far more than a row of responses holds. "
        "Check that the file is a table with one response a row.",
    ),
    Hostile(
        "too-many-columns.csv",
        hostile.too_many_columns_csv,
        "Row 1 has something in column 600; at most 500 columns are read. Delete the "
        "columns that hold no answers and upload the file again.",
    ),
]


def _text(page: HttpResponseBase) -> str:
    return html.unescape(page.content.decode())  # type: ignore[attr-defined]


def _drain(download: Any) -> int:
    """Read a download a piece at a time, as a browser does, and say how long it was."""
    if download.streaming:
        return sum(len(piece) for piece in download.streaming_content)
    return len(download.content)


def _through_the_pages(client: Client, form: EvaluationForm, name: str, data: bytes) -> str:
    """Upload, match, check, download the rejected rows and import, as far as the file gets;
    the last page shown, as its text."""
    page = client.post(
        reverse("evaluation:import_start", args=[form.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )
    if page.status_code != 303:
        return _text(page)
    url = page["Location"]
    fields = client.get(url).context["mapping_form"].fields.values()
    mapping = {f"col{place}": field.initial for place, field in enumerate(fields)}
    page = client.post(url, {**mapping, "action": "check"}, follow=True)
    batch = ResponseImport.objects.latest("pk")
    if batch.state != ResponseImport.State.CHECKED:
        return _text(page)
    if batch.rows_rejected:
        assert _drain(client.get(reverse("evaluation:import_rejects", args=[batch.pk]))) > 0
    # The button is not there when no row is good; the page is asked all the same.
    page = client.post(url, {"action": "valid" if batch.rows_rejected else "all"}, follow=True)
    return _text(page)


def _warm_up(client: Client, form: EvaluationForm) -> None:
    """One harmless import of each kind first, so that loading code and templates for the
    first time is not counted."""
    _through_the_pages(client, form, "warm.csv", b"useful,confident\n4,3\n1,x\n")
    workbook = hostile.plain_workbook(["useful", "confident"], [4, 3])
    _through_the_pages(client, form, "warm.xlsx", workbook)
    Response.objects.all().delete()
    ResponseImport.objects.all().delete()


def _report(upload: Hostile, data: bytes, mb: float) -> None:
    # Seen with `pytest tests/evaluation/test_hostile_uploads.py -s`: the figures to quote.
    print(f"\n{upload.name}: {len(data) / 1e6:.2f} MB file, peak +{mb:.1f} MB", end="")


@pytest.mark.parametrize("upload", SPREADSHEETS, ids=str)
def test_a_hostile_spreadsheet_is_refused_plainly_in_bounded_memory(
    upload: Hostile, evaluation_form: EvaluationForm, ada_client: Client
) -> None:
    data, says = upload.made()
    _warm_up(ada_client, evaluation_form)
    with peak_growth() as growth:
        shown = _through_the_pages(ada_client, evaluation_form, upload.name, data)
    _report(upload, data, growth.mb)
    assert growth.mb < allowed(data), f"{upload.name}: +{growth.mb:.0f} MB"
    assert says in shown
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not ResponseImport.objects.filter(state=ResponseImport.State.DONE).exists()


PROJECTS = [
    Hostile(
        "big-member.qdpx",
        lambda: hostile.kept("big-member.qdpx"),
        "sources/big.txt is 50.0 MB; a text may be at most 1.0 MB, far more than any "
        "Common Ground keeps. Bring back a project exported from this programme.",
    ),
    Hostile(
        "shared-member.qdpx",
        lambda: hostile.kept("shared-member.qdpx"),
        "0 new codes and 0 new codings brought back. 500 left out: "
        + "; ".join(f"'Text {n}' is not a text of this programme" for n in range(5))
        + ".",
    ),
    Hostile(
        "bomb.qdpx",
        hostile.bomb_qdpx,
        _unpacks("Bring back a project exported from this programme."),
    ),
    Hostile(
        "billion-laughs.qdpx",
        lambda: hostile.kept("billion-laughs.qdpx"),
        "The project.qde inside could not be read: it declares a document type (<!DOCTYPE>), "
        "which Common Ground does not read.",
    ),
]


@pytest.mark.parametrize("upload", PROJECTS, ids=str)
def test_a_hostile_project_is_refused_plainly_in_bounded_memory(
    upload: Hostile, programme: Programme, ada_client: Client
) -> None:
    data, says = upload.made()
    url = reverse("evaluation:project_import", args=[programme.pk])
    ada_client.post(url, {"file": SimpleUploadedFile("warm.qdpx", b"not a zip")})
    with peak_growth() as growth:
        page = ada_client.post(url, {"file": SimpleUploadedFile(upload.name, data)}, follow=True)
    _report(upload, data, growth.mb)
    assert growth.mb < allowed(data), f"{upload.name}: +{growth.mb:.0f} MB"
    assert says in _text(page)
    assert not Code.objects.exists() and not Coding.objects.exists()


def test_numbers_in_odd_digits_are_read_not_a_server_error(
    ada_client: Client, evaluation_form: EvaluationForm
) -> None:
    page = ada_client.post(
        reverse("evaluation:import_start", args=[evaluation_form.pk]),
        {"file": SimpleUploadedFile("odd.xlsx", hostile.odd_digits_xlsx())},
    )
    assert page.status_code == 303  # read as a workbook: the bad numbers are ignored
    batch = ResponseImport.objects.get()
    assert batch.header == ["useful", "aims"]
