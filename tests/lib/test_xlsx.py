"""The streaming XLSX reader gives what openpyxl's own reader gives for the workbooks people
make (numbers, dates, booleans, shared and rich text, formulas' results, gaps), and says
plainly when a file is not a workbook."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from commonground.lib import safezip, xlsx
from tests.evaluation import hostile


def _book() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Useful", "When", "Time", "Flag", "Words", "Share"])
    when = datetime(2026, 4, 1, 9, 30)  # noqa: DTZ001 - a spreadsheet's times have no zone
    sheet.append([4.0, when, time(14, 5), True, "  padded  ", 0.25])
    sheet.append([None, date(2026, 4, 2), None, False, CellRichText("bold", " and plain"), 1e-3])
    sheet.append([])
    sheet.append([3, None, None, None, "=not a formula", -2])
    sheet["B5"].number_format = "dd/mm/yyyy"
    sheet["F5"].number_format = "0.00%"
    sheet["E3"].value = CellRichText([TextBlock(InlineFont(b=True), "bold"), " and plain"])
    book.create_sheet("Second")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _openpyxl_cells(data: bytes) -> list[tuple[int, int, str]]:
    """What the import read before: openpyxl's values, as text."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = []
    for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            text = str(value).strip()
            if text:
                cells.append((number, column, text))
    book.close()
    return cells


def test_the_first_sheet_reads_as_openpyxl_reads_it() -> None:
    data = _book()
    sheet = xlsx.first_sheet(data, max_unzipped=10**7)
    assert sheet.sheets == 2
    cells = [cell for cell in sheet.cells if cell[1]]  # not the marks of each row's end
    assert cells == _openpyxl_cells(data)
    assert (2, 2, "2026-04-01 09:30:00") in cells and (3, 5, "bold and plain") in cells


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not a zip",
        hostile.zipped({"hello.txt": b"a zip, not a workbook"}),
        hostile.workbook(b"<worksheet><sheetData><row><c><v>1</v></c>"),  # cut short
    ],
    ids=["not a zip", "no workbook", "cut short"],
)
def test_what_is_not_a_workbook_says_so(data: bytes) -> None:
    with pytest.raises(xlsx.XlsxError):
        list(xlsx.first_sheet(data, max_unzipped=10**7).cells)


def test_a_damaged_part_says_so_as_it_is_read() -> None:
    with pytest.raises(xlsx.XlsxError, match="damaged"):
        list(xlsx.first_sheet(hostile.damaged_xlsx(), max_unzipped=10**7).cells)


def test_parts_past_the_limit_are_not_unpacked() -> None:
    with pytest.raises(safezip.TooBig) as refused:
        xlsx.first_sheet(_book(), max_unzipped=1000)
    assert refused.value.limit == 1000 and refused.value.size > 1000
