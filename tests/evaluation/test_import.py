"""Importing spreadsheets of responses: a file shaped like a published evaluation checked figure
by figure through the API, and each kind of bad file."""

from __future__ import annotations

import html
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook

from commonground.accounts.models import Organisation, User
from commonground.evaluation import services
from commonground.evaluation.models import (
    Activity,
    Answer,
    EvaluationForm,
    Programme,
    Question,
    Response,
    ResponseImport,
)
from tests.evaluation import hostile

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
ITEMS = ["useful", "aims", "levels", "confident", "cross-sector", "relevant", "organised", "use"]


@pytest.fixture
def training_form(riverside: Organisation, ada: User) -> EvaluationForm:
    """Two training days of 54 attendees each; eight items on 1-4 and a write-in."""
    programme = services.programme_create(organisation=riverside, by=ada, title="Training 2026")
    days = [
        services.activity_save(
            programme=programme,
            title=title,
            kind=Activity.Kind.TRAINING_DAY,
            starts_on=day,
            participants=54,
            hours_per_participant=Decimal(6),
        )
        for title, day in (("Spring day", date(2026, 4, 1)), ("Autumn day", date(2026, 10, 1)))
    ]
    form = services.form_create(programme=programme, title="Training day", activities=days)
    for code in ITEMS:
        services.question_add(form=form, text=f"Item {code}", code=code)
    services.question_add(
        form=form, text="Most useful part", code="most-useful", kind=Question.Kind.WRITE_IN
    )
    return form


def _upload(client: Client, form: EvaluationForm, name: str, data: bytes) -> Any:
    return client.post(
        reverse("evaluation:import_start", args=[form.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def _import_through_pages(client: Client, form: EvaluationForm, name: str, data: bytes) -> Any:
    response = _upload(client, form, name, data)
    assert response.status_code == 303, response.content.decode()[:2000]
    batch = ResponseImport.objects.latest("pk")
    page = client.get(batch.get_absolute_url())
    mapping = {
        f"col{i}": field.initial
        for i, field in enumerate(page.context["mapping_form"].fields.values())
    }
    client.post(batch.get_absolute_url(), {**mapping, "action": "check"})
    batch.refresh_from_db()
    return batch


def test_a_published_shape_imports_and_every_figure_holds_through_the_api(
    training_form: EvaluationForm, ada_client: Client
) -> None:
    data = (DATA / "training-day-64.csv").read_bytes()
    batch = _import_through_pages(ada_client, training_form, "training-day-64.csv", data)
    assert (batch.rows_good, batch.rows_rejected, batch.problem_count) == (64, 0, 0)
    done = ada_client.post(batch.get_absolute_url(), {"action": "all"})
    assert done.status_code == 303
    assert training_form.responses.filter(channel=Response.Channel.IMPORT).count() == 64

    got = ada_client.get(f"/api/v1/evaluation/forms/{training_form.pk}/statistics").json()
    want = json.loads((DATA / "training-day-64.expected.json").read_text())
    assert got["responses"] == 64 and got["participants"] == 108
    assert got["response_rate_percent"] == pytest.approx(want["response_rate_percent"], abs=1e-3)
    assert "108 participants of Spring day, Autumn day" == got["denominator"]
    assert got["lowest_point_users"] == want["lowest_point_users"]
    assert {str(k): v for k, v in got["lowest_point_use"].items()} == want["lowest_point_use"]
    for item, expected in zip(got["items"], want["items"], strict=True):
        assert item["code"] == expected["code"]
        assert item["n"] == expected["n"]
        assert item["counts"] == expected["counts"]
        assert item["mean"] == pytest.approx(expected["mean"])
        assert item["sd"] == pytest.approx(expected["sd"])
        assert item["mean_ci95"] == pytest.approx(expected["mean_ci95"])
        assert item["median"] == pytest.approx(expected["median"])
        assert item["interquartile_range"] == pytest.approx(expected["interquartile_range"])
        assert item["top_box"]["percent"] == pytest.approx(expected["top_box_percent"], abs=1e-3)
        low_high = [item["top_box"]["ci95_low_percent"], item["top_box"]["ci95_high_percent"]]
        assert low_high == pytest.approx(expected["top_box_ci95"], abs=1e-3)  # 4 places
        assert item["top_two_box"]["percent"] == pytest.approx(
            expected["top_two_box_percent"], abs=1e-3
        )
        two = [item["top_two_box"]["ci95_low_percent"], item["top_two_box"]["ci95_high_percent"]]
        assert two == pytest.approx(expected["top_two_box_ci95"], abs=1e-3)
        assert item["lowest_point"] == expected["lowest_point"]
        mean = expected["mean"]
        assert item["band"] == ("top quarter" if mean >= 3.25 else "third quarter")
        assert [g["suppressed"] for g in item["by_activity"]] == [False, False]
    # The file again: refused, nothing counted twice.
    again = _upload(ada_client, training_form, "copy.csv", data)
    assert "already imported into this form" in again.content.decode()
    assert training_form.responses.count() == 64
    written = Answer.objects.filter(response__form=training_form, question__code="most-useful")
    assert written.exclude(text="").count() == 38  # the rows whose write-in is not empty


def _batch(form: EvaluationForm, ada: User, name: str, data: bytes) -> ResponseImport:
    batch = services.import_upload(form=form, by=ada, file_name=name, data=data)
    return services.import_check(batch=batch, mapping=batch.mapping)


HEADER = "useful,aims,most-useful\n"


def test_problems_are_listed_by_row_and_column_and_only_valid_rows_can_be_taken(
    training_form: EvaluationForm, ada: User, ada_client: Client
) -> None:
    body = HEADER + "4,3,fine\n,,\n5,2,too high\n3,Very,labels work\n2,x,\n=1+1,4,=cmd\n"
    batch = _batch(training_form, ada, "mixed.csv", body.encode())
    messages = [f"row {r}, column '{c}': {m}" for r, c, m in batch.problems]
    assert messages == [
        "row 4, column 'useful': '5' is not on the 1-4 scale",
        "row 6, column 'aims': 'x' is not on the 1-4 scale",
        "row 7, column 'useful': '=1+1' is not on the 1-4 scale",
    ]
    assert (batch.rows_good, batch.rows_rejected, batch.rows_empty) == (2, 3, 1)
    with pytest.raises(Exception, match="3 rows have problems"):
        services.import_accept(batch=batch, only_valid=False, by=ada)
    assert not training_form.responses.exists()
    rejects = ada_client.get(reverse("evaluation:import_rejects", args=[batch.pk]))
    text = rejects.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0] == "useful,aims,most-useful,problems"
    assert "'=1+1" in text and "'=cmd" in text  # formulas made plain text
    assert "row 4, column 'useful': '5' is not on the 1-4 scale" in text
    services.import_accept(batch=batch, only_valid=True, by=ada)
    services.import_accept(batch=batch, only_valid=True, by=ada)  # a second press
    assert training_form.responses.count() == 2
    points = Answer.objects.filter(response__form=training_form, value__isnull=False)
    assert sorted(points.values_list("value", flat=True)) == [3, 3, 3, 4]


@pytest.mark.parametrize(
    ("name", "data", "note"),
    [
        ("semi.csv", b"useful;aims\n4;3\n", "separated by semicolons"),
        ("tabs.csv", b"useful\taims\n4\t3\n", "separated by tabs"),
        ("excel.csv", "useful,aims,organisation\n4,3,Caf\xe9 Nord\n".encode("cp1252"), "1252"),
    ],
)
def test_other_delimiters_and_encodings_are_read_and_said(
    training_form: EvaluationForm, ada: User, name: str, data: bytes, note: str
) -> None:
    batch = _batch(training_form, ada, name, data)
    assert note in batch.note
    assert batch.rows_good == 1
    services.import_accept(batch=batch, only_valid=False, by=ada)
    response = training_form.responses.get()
    assert sorted(a.value for a in response.answers.all()) == [3, 4]
    if name == "excel.csv":
        assert response.organisation_name == "Café Nord"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"   \n", "The file is empty."),
        ("one.csv", b"just one heading\n1\n", "only one column"),
        ("utf16.csv", "useful,aims\n4,3\n".encode("utf-16"), "UTF-16"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file"),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "not a spreadsheet"),
        ("damaged.xlsx", hostile.damaged_xlsx(), "not a spreadsheet"),
        ("twice.csv", b"useful,useful\n1,2\n", "Two columns are headed &#x27;useful&#x27;"),
    ],
)
def test_unreadable_files_say_why(
    training_form: EvaluationForm, ada_client: Client, name: str, data: bytes, reason: str
) -> None:
    response = _upload(ada_client, training_form, name, data)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert not ResponseImport.objects.exists()


def test_a_file_over_the_limit_is_refused(
    training_form: EvaluationForm, ada_client: Client, settings: Any
) -> None:
    settings.EVALUATION_IMPORT_MAX_BYTES = 1000
    response = _upload(ada_client, training_form, "big.csv", HEADER.encode() + b"4,4,x\n" * 500)
    assert response.status_code == 422
    assert "The file is 3 KB; files of up to 1 KB can be imported." in response.content.decode()


def test_a_missing_required_column_is_one_problem(training_form: EvaluationForm, ada: User) -> None:
    services.question_add(form=training_form, text="Your role", code="role", required=True)
    batch = _batch(training_form, ada, "no-role.csv", (HEADER + "4,3,x\n4,4,y\n").encode())
    assert batch.problems == [[1, "", "no column holds the required question 'Your role'"]]
    assert batch.rows_good == 0 and batch.rows_rejected == 2


def test_xlsx_with_numbers_labels_and_an_activity_column(
    training_form: EvaluationForm, ada: User
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Useful", "Aims", "Activity", "Organisation"])
    sheet.append([4.0, "Extremely", "Spring day", "Valleys Housing"])
    sheet.append([2, 1, "autumn day", None])
    sheet.append([None, None, None, None])
    sheet.append([3, 3, "Winter day", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = _batch(training_form, ada, "answers.xlsx", buffer.getvalue())
    assert batch.mapping == ["q" + str(q) for q in _ids(training_form, "useful", "aims")] + [
        "activity",
        "organisation",
    ]
    assert batch.problems == [[5, "Activity", "'Winter day' is not one of this form's activities"]]
    services.import_accept(batch=batch, only_valid=True, by=ada)
    stored = list(training_form.responses.order_by("source_row"))
    assert [r.activity.title if r.activity else None for r in stored] == [
        "Spring day",
        "Autumn day",
    ]
    assert stored[0].organisation_name == "Valleys Housing"
    assert sorted(a.value for a in stored[0].answers.all()) == [4, 4]


def _ids(form: EvaluationForm, *codes: str) -> list[int]:
    return [form.questions.get(code=code).pk for code in codes]


def test_outsiders_cannot_see_an_import(
    training_form: EvaluationForm, ada: User, olu_client: Client, ben_client: Client
) -> None:
    batch = _batch(training_form, ada, "a.csv", (HEADER + "4,3,x\n").encode())
    assert olu_client.get(batch.get_absolute_url()).status_code == 404
    assert ben_client.get(batch.get_absolute_url()).status_code == 403
    assert olu_client.post(batch.get_absolute_url(), {"action": "all"}).status_code == 404
    assert not training_form.responses.exists()


def test_cancel_stores_nothing_and_drops_the_file(
    training_form: EvaluationForm, ada: User, ada_client: Client
) -> None:
    batch = _batch(training_form, ada, "a.csv", (HEADER + "4,3,x\n").encode())
    ada_client.post(batch.get_absolute_url(), {"action": "cancel"})
    batch.refresh_from_db()
    assert batch.state == ResponseImport.State.CANCELLED and bytes(batch.content) == b""
    assert not training_form.responses.exists()


def test_the_upload_page_lists_earlier_imports(
    training_form: EvaluationForm, ada: User, ada_client: Client, programme: Programme
) -> None:
    _batch(training_form, ada, "first-file.csv", (HEADER + "4,3,x\n").encode())
    page = ada_client.get(reverse("evaluation:import_start", args=[training_form.pk]))
    assert "first-file.csv" in page.content.decode()


def test_a_big_file_is_stored_in_the_background_with_progress_and_each_row_once(
    training_form: EvaluationForm,
    ada: User,
    ada_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from commonground.evaluation.services import responses

    monkeypatch.setattr(responses, "IMPORT_IN_BACKGROUND_FROM", 3)
    monkeypatch.setattr(responses, "CHUNK", 2)
    body = HEADER + "".join(f"{1 + n % 4},{1 + (n + 1) % 4},w{n}\n" for n in range(7))
    batch = _batch(training_form, ada, "seven.csv", body.encode())
    with django_capture_on_commit_callbacks() as queued:
        ada_client.post(batch.get_absolute_url(), {"action": "all"})
    batch.refresh_from_db()
    assert batch.state == ResponseImport.State.IMPORTING and len(queued) == 1
    page = ada_client.get(batch.get_absolute_url()).content.decode()
    assert '<progress id="import-progress" max="7" value="0">' in page
    assert 'http-equiv="refresh"' in page
    # A worker stops after storing the first chunk: its rows stay, and the rerun adds the rest.
    good = list(responses._good_rows(batch))
    with transaction.atomic():
        responses._store_rows(batch, good[:2], ada)
    responses.import_run(batch_id=batch.pk)
    responses.import_run(batch_id=batch.pk)  # the task delivered twice
    batch.refresh_from_db()
    assert batch.state == ResponseImport.State.DONE and batch.rows_imported == 7
    assert training_form.responses.count() == 7
    assert sorted(training_form.responses.values_list("source_row", flat=True)) == list(range(2, 9))
    assert Answer.objects.filter(response__form=training_form).count() == 21
    from commonground.evaluation import selectors

    kept = [item.figures.counts for item in selectors.form_results(training_form).items]
    services.form_recount(form=training_form)
    assert [item.figures.counts for item in selectors.form_results(training_form).items] == kept


@pytest.mark.parametrize(
    ("setting", "value", "body", "says"),
    [
        (
            "EVALUATION_IMPORT_MAX_ROWS",
            2,
            HEADER + "4,3,x\n4,4,y\n1,1,z\n",
            "Row 4 is past the 2 rows of responses one import takes. Split the file into "
            "smaller ones, or delete anything below the responses.",
        ),
        (
            "EVALUATION_IMPORT_MAX_COLUMNS",
            2,
            HEADER + "4,3,x\n",
            "Row 1 has something in column 3; at most 2 columns are read. Delete the columns "
            "that hold no answers and upload the file again.",
        ),
        (
            "EVALUATION_IMPORT_MAX_CELL_CHARS",
            12,
            HEADER + "4,3,far too long here\n",
            "Row 2, column 3, holds more than 12 characters, the most a cell can hold (as in "
            "Excel). Shorten it and upload the file again.",
        ),
    ],
)
def test_each_limit_is_read_when_a_file_comes_and_said_plainly(
    training_form: EvaluationForm,
    ada_client: Client,
    settings: Any,
    setting: str,
    value: int,
    body: str,
    says: str,
) -> None:
    setattr(settings, setting, value)
    response = _upload(ada_client, training_form, "limits.csv", body.encode())
    assert response.status_code == 422
    assert says in html.unescape(response.content.decode())
    assert not ResponseImport.objects.exists()


def test_an_xlsx_past_the_unpacked_limit_is_refused_unopened(
    training_form: EvaluationForm, ada_client: Client, settings: Any
) -> None:
    settings.EVALUATION_IMPORT_MAX_UNZIPPED_BYTES = 1000
    data = hostile.plain_workbook(["useful", "aims"], [4, 3])
    response = _upload(ada_client, training_form, "small.xlsx", data)
    assert "; at most 1 KB can be read. Save it as CSV, or split it" in response.content.decode()


def test_rows_a_spreadsheet_leaves_out_count_as_empty(
    training_form: EvaluationForm, ada: User
) -> None:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>useful</t></is></c></row>'
    rows += '<row r="2"><c r="A2"><v>4</v></c></row><row r="5"><c r="A5"><v>3</v></c></row>'
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:Z900"/><sheetData>{rows}</sheetData></worksheet>'
    )
    batch = _batch(training_form, ada, "gaps.xlsx", hostile.workbook(sheet.encode()))
    assert (batch.rows_total, batch.rows_good, batch.rows_empty) == (4, 2, 2)


def test_empty_sheet_rows_count_against_the_limit_and_cells_past_excels_last_column_are_refused(
    training_form: EvaluationForm, ada_client: Client, settings: Any
) -> None:
    settings.EVALUATION_IMPORT_MAX_ROWS = 2
    head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    header = '<row><c t="inlineStr"><is><t>useful</t></is></c></row>'
    empty = head + f"<sheetData>{header}{'<row/>' * 5}</sheetData></worksheet>"
    wide = head + f"<sheetData>{header}<row>{'<c/>' * 20_000}</row></sheetData></worksheet>"
    for name, sheet, says in [
        ("empty.xlsx", empty, "Row 4 is past the 2 rows of responses one import takes."),
        ("wide.xlsx", wide, "The file is not a spreadsheet Common Ground can open."),
    ]:
        response = _upload(ada_client, training_form, name, hostile.workbook(sheet.encode()))
        assert says in response.content.decode()
    assert not ResponseImport.objects.exists()


def test_the_rejected_rows_keep_a_name_safe_to_send(
    training_form: EvaluationForm, ada: User, ada_client: Client
) -> None:
    body = (HEADER + "9,9,x\n").encode()
    for name, disposition in [
        (
            'x"; filename="evil.exe\r\nSet-Cookie: a=1.csv',
            'attachment; filename="x-- filename=-evil.exeSet-Cookie- a=1-rejected-rows.csv"',
        ),
        (
            "Réponses été/../2026.csv",
            "attachment; filename=\"Reponses ete-..-2026-rejected-rows.csv\"; filename*=UTF-8''"
            "R%C3%A9ponses%20%C3%A9t%C3%A9-..-2026-rejected-rows.csv",
        ),
    ]:
        batch = _batch(training_form, ada, name, body)
        rejects = ada_client.get(reverse("evaluation:import_rejects", args=[batch.pk]))
        assert rejects.status_code == 200
        assert rejects["Content-Disposition"] == disposition
        services.import_cancel(batch=batch)


def test_long_answers_end_a_chunk_early_and_every_row_is_stored_once(
    training_form: EvaluationForm, ada: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.evaluation.services import responses

    monkeypatch.setattr(responses, "CHUNK_CHARS", 250)
    body = HEADER + "".join(f"4,3,{'w' * 100}{n}\n" for n in range(7))
    batch = _batch(training_form, ada, "long.csv", body.encode())
    assert [len(chunk) for chunk in responses._chunks(responses._good_rows(batch))] == [3, 3, 1]
    services.import_accept(batch=batch, only_valid=False, by=ada)
    assert training_form.responses.count() == 7


def test_rejects_cut_short_by_a_lowered_limit_say_so_in_the_file(
    training_form: EvaluationForm, ada: User, ada_client: Client
) -> None:
    body = (HEADER + "9,9,x\n" * 5).encode()
    batch = _batch(training_form, ada, "answers.csv", body)
    with override_settings(EVALUATION_IMPORT_MAX_ROWS=3):
        rejects = ada_client.get(reverse("evaluation:import_rejects", args=[batch.pk]))
        text = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert rejects.status_code == 200
    assert text.splitlines()[-1].endswith(
        "The file could not be read to the end: Row 5 is past the 3 rows of responses one "
        'import takes. Split the file into smaller ones, or delete anything below the responses."'
    )
