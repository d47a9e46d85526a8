"""Tables out as CSV and XLSX, safe to open in a spreadsheet program.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return runs as a formula in Excel, LibreOffice and Google Sheets ("CSV
injection", OWASP); such text gets a leading apostrophe, which spreadsheets
read as "this is text". Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """``value`` as the text of one cell: empty for None, ISO 8601 for dates, and text
    that a spreadsheet would run as a formula made plain."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A CSV file in UTF-8 with a byte-order mark, so spreadsheet programs read it as UTF-8."""
    return b"".join(csv_stream(header, rows))


def csv_stream(
    header: Iterable[str], rows: Iterable[Iterable[object]], *, piece: int = 64 * 1024
) -> Iterator[bytes]:
    """The same file in pieces of about ``piece`` bytes, made as ``rows`` are taken, for a
    download of any length that holds one piece at a time."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
        if buffer.tell() >= piece:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_bytes(header: Iterable[str], rows: Iterable[Iterable[object]], *, title: str) -> bytes:
    """An Excel workbook of one sheet. Text is always stored as text, so a cell that starts
    with ``=`` shows those characters and never runs as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")

    def cells(values: Iterable[object]) -> list[object]:
        out: list[object] = []
        for value in values:
            if isinstance(value, bool):
                out.append("yes" if value else "no")
            elif value is None or isinstance(value, int | float | Decimal):
                out.append(value)
            else:
                text = value.isoformat() if isinstance(value, datetime | date) else str(value)
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"  # plain text, whatever it starts with
                out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
