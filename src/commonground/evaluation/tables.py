"""Read a spreadsheet of responses (CSV or XLSX) and check every cell: pure, no ORM.

The steps an import takes, each a function here:

1. :func:`read` reads the header of a file, finding the encoding (UTF-8, else
   Windows-1252, as Excel saves CSV) and the delimiter (comma, semicolon, tab or
   bar), or says plainly why it cannot; the rows follow one at a time as they
   are taken, so a file of any length costs the memory of one row.
2. :func:`propose` matches columns to questions by heading: a question's
   spreadsheet heading, then its words; "activity" and "organisation" columns
   too. The person can change every match before checking.
3. :func:`check` reads every row against the questions it is matched to and
   gives each row's values or its problems, by row and column in plain words.
   Rows with nothing in them are counted and skipped.

Every limit (rows, columns, characters in a cell, bytes unpacked) is checked
while the file is read, before what it guards costs memory, and a file past
one is refused with a sentence saying which limit and what to do.

Row numbers are those a spreadsheet program shows: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain

from django.utils.text import slugify

from commonground.lib.text import size_words

# Mapping targets besides questions.
ACTIVITY = "activity"
ORGANISATION = "organisation"
IGNORE = ""
DELIMITERS = ",;\t|"
# One row's text, whatever its cells: a hostile row of a million empty cells costs some
# 16 MB while it is read, and this still holds 30 cells of Excel's longest.
MAX_ROW_CHARS = 1_000_000
NOT_A_SPREADSHEET = (
    "The file is not a spreadsheet Common Ground can open. Save it again as .xlsx or CSV."
)


class TableError(Exception):
    """The file cannot be read as a table; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class Limits:
    """How much of a file is read; the caller takes them from settings when it reads."""

    rows: int  # rows below the header
    columns: int
    cell_chars: int
    unzipped_bytes: int  # what an .xlsx may unpack to


@dataclass(frozen=True)
class Spec:
    """What a column can be matched to: a question (as plain data) or an extra field."""

    key: str  # "q<id>", ACTIVITY or ORGANISATION
    heading: str  # the question's spreadsheet heading, or the extra's name
    text: str  # the question's words, for matching and for messages
    points: int = 0  # a Likert item's number of points; 0 for words
    labels: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Table:
    header: list[str]
    # (row number, cells) below the header, read from the file as they are taken; a
    # problem met on the way (a row past a limit) raises ``TableError`` there.
    rows: Iterator[tuple[int, list[str]]] = field(repr=False)
    note: str = ""  # how the file was read, when that is worth saying


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Row:
    """One row below the header as checked: its cells, and its values or its problems."""

    number: int
    cells: list[str]
    values: dict[str, object]  # question keys to a point or words; ACTIVITY, ORGANISATION
    problems: list[Problem]

    @property
    def empty(self) -> bool:
        return not any(self.cells)

    @property
    def good(self) -> bool:
        return not self.empty and not self.problems


@dataclass
class Checked:
    """What checking found, counted a row at a time: a file of any length costs the same."""

    good: int = 0
    rejected: int = 0
    empty: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first ``keep``
    keep: int = 200
    last: int = 1  # the last row read

    def count(self, row: Row) -> None:
        # Rows a spreadsheet leaves out entirely (nothing in them) count as empty too.
        self.empty += row.number - self.last - 1 + row.empty
        self.last = row.number
        if row.empty:
            return
        if not row.problems:
            self.good += 1
            return
        self.rejected += 1
        for problem in row.problems:
            if self.problems and problem is self.problems[-1]:
                continue  # a problem of the whole file, given with each row: said once
            self.problem_count += 1
            if len(self.problems) < self.keep:
                self.problems.append(problem)


# -- reading ---------------------------------------------------------------------------


def read(data: bytes, filename: str, *, limits: Limits) -> Table:
    """The header of a CSV or XLSX file and its rows to come; raises ``TableError`` in
    plain words, here or while the rows are read."""
    if not data.strip():
        raise TableError("The file is empty.")
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, limits)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            "This is an old Excel file (.xls). Save it as .xlsx or CSV in Excel and try again."
        )
    return _read_csv(data, limits)


def count_rows(table: Table) -> int:
    """Read every row (checking each against the limits) and say how many there are."""
    return max((number for number, _ in table.rows), default=1) - 1


def _read_csv(data: bytes, limits: Limits) -> Table:
    note = ""
    encoding = "utf-8-sig"
    if not _is_utf8(data):
        # Excel on Windows saves "CSV" in the Windows code page, not UTF-8.
        encoding = "cp1252"
        note = "The file was not UTF-8, so it was read as Windows-1252 (as Excel saves CSV)."
    if "\x00" in data[:4000].decode(encoding, errors="replace")[:1000]:
        raise TableError(
            "The file looks like UTF-16 or a binary file, not CSV. Save it as "
            "'CSV UTF-8' and try again."
        )
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    lines = _Lines(text)
    first_line = next(iter(lines), "")
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise TableError(
            "The first row has only one column. A CSV file needs a heading for each column, "
            "separated by commas (or semicolons or tabs)."
        )
    if delimiter != ",":
        named = {";": "semicolons", "\t": "tabs", "|": "bars"}[delimiter]
        note = (note + " " if note else "") + f"Columns were separated by {named}."
    reader = csv.reader(chain([first_line], lines), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for row in reader:
                lines.taken()
                number += 1
                yield number, _trimmed([cell.strip() for cell in row])
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise TableError(_cell_too_long(number + 1, None, limits)) from exc
            raise TableError(f"The CSV file is broken near row {number + 1}: {exc}.") from exc

    return _table(_within_limits(rows(), limits), note)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, found a megabyte at a time (no copy of the whole file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class _Lines:
    """The lines of a CSV file, for ``csv.reader``, refusing a row (which quoted cells can
    spread over several lines) before it passes ``MAX_ROW_CHARS``."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self._row_chars = 0
        self._rows = 0

    def __iter__(self) -> Iterator[str]:
        while line := self._text.readline(MAX_ROW_CHARS + 1):
            self._row_chars += len(line)
            if self._row_chars > MAX_ROW_CHARS:
                raise TableError(_row_too_long(self._rows + 1))
            yield line

    def taken(self) -> None:
        """A whole row was read from the lines given so far."""
        self._row_chars = 0
        self._rows += 1


# What reading a damaged workbook can raise: the reader's own error, and, as a last guard
# so that a file nobody foresaw is still a plain message and never a server error, the
# value errors of the conversions it makes.
_UNREADABLE: tuple[type[Exception], ...] = (ValueError, OverflowError, IndexError)


def _read_xlsx(data: bytes, limits: Limits) -> Table:
    from commonground.lib import safezip, xlsx

    unreadable: tuple[type[Exception], ...] = (xlsx.XlsxError, *_UNREADABLE)

    try:
        sheet = xlsx.first_sheet(data, max_unzipped=limits.unzipped_bytes)
    except safezip.TooBig as exc:
        raise TableError(
            f"The file unpacks to {size_words(exc.size)}; at most "
            f"{size_words(exc.limit)} can be read. Save it as CSV, or split it into "
            "smaller files."
        ) from exc
    except unreadable as exc:
        raise TableError(NOT_A_SPREADSHEET) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        """The cells gathered into rows, checked as each cell comes, so that no row grows
        past a limit; rows numbered from the first with something in it (the header)."""
        top: int | None = None  # the header's row in the sheet
        sheet_row = 0
        row: list[str] = []
        chars = 0
        try:
            for at, column, text in sheet.cells:
                if not column:  # a row has ended: past the last row taken, even if empty?
                    if top is not None:
                        _check_row_number(at - top + 1, limits)
                    continue
                if at != sheet_row:
                    if at < sheet_row:
                        raise TableError(NOT_A_SPREADSHEET)  # rows out of order
                    if top is None:
                        top = at
                    else:
                        yield sheet_row - top + 1, row
                    sheet_row, row, chars = at, [], 0
                    _check_row_number(at - top + 1, limits)
                number = at - (top or 0) + 1
                if column > limits.columns:
                    raise TableError(_too_many_columns(number, column, limits))
                if len(text) > limits.cell_chars:
                    raise TableError(_cell_too_long(number, column, limits))
                chars += len(text)
                if chars > MAX_ROW_CHARS:
                    raise TableError(_row_too_long(number))
                if column > len(row):
                    row.extend([""] * (column - len(row)))
                row[column - 1] = text
        except unreadable as exc:
            raise TableError(NOT_A_SPREADSHEET) from exc
        if top is not None:
            yield sheet_row - top + 1, row

    note = "Read the first sheet." if sheet.sheets > 1 else ""
    return _table(rows(), note)


def _within_limits(
    rows: Iterable[tuple[int, list[str]]], limits: Limits
) -> Iterator[tuple[int, list[str]]]:
    """CSV rows checked against the limits (each is bounded by ``MAX_ROW_CHARS`` already)."""
    for number, cells in rows:
        _check_row_number(number, limits)
        if len(cells) > limits.columns:
            raise TableError(_too_many_columns(number, len(cells), limits))
        if cells and max(map(len, cells)) > limits.cell_chars:
            place = next(p for p, cell in enumerate(cells) if len(cell) > limits.cell_chars)
            raise TableError(_cell_too_long(number, place + 1, limits))
        yield number, cells


def _check_row_number(number: int, limits: Limits) -> None:
    if number > limits.rows + 1:
        raise TableError(
            f"Row {number:,} is past the {limits.rows:,} rows of responses one import "
            "takes. Split the file into smaller ones, or delete anything below the responses."
        )


def _too_many_columns(number: int, column: int, limits: Limits) -> str:
    return (
        f"Row {number:,} has something in column {column:,}; at most {limits.columns:,} "
        "columns are read. Delete the columns that hold no answers and upload the file again."
    )


def _cell_too_long(number: int, column: int | None, limits: Limits) -> str:
    where = f"Row {number:,}" + (f", column {column:,}," if column else "")
    return (
        f"{where} holds more than {limits.cell_chars:,} characters, the most a cell can hold "
        "(as in Excel). Shorten it and upload the file again."
    )


def _row_too_long(number: int) -> str:
    return (
        f"Row {number:,} is longer than {MAX_ROW_CHARS:,} characters, far more than a row "
        "of responses holds. Check that the file is a table with one response a row."
    )


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _table(rows: Iterator[tuple[int, list[str]]], note: str) -> Table:
    first = next((row for row in rows if any(row[1])), None)
    if first is None:
        raise TableError("The file has no rows.")
    offset = first[0] - 1  # rows before the header had nothing in them
    header = _trimmed(list(first[1]))
    if not any(header):
        raise TableError("The first row should hold the column headings, and it is empty.")
    seen: set[str] = set()
    for place, heading in enumerate(header):
        if not heading:
            header[place] = f"column {place + 1}"
        if header[place].lower() in seen:
            raise TableError(f"Two columns are headed '{header[place]}'. Give each its own.")
        seen.add(header[place].lower())
    below = ((number - offset, cells) for number, cells in rows) if offset else rows
    return Table(header=header, rows=below, note=note)


# -- matching columns ------------------------------------------------------------------


def _key(text: str) -> str:
    return slugify(text).replace("-", "")


def propose(header: Sequence[str], specs: Sequence[Spec]) -> list[str]:
    """For each column, the key of the spec it most likely holds, or ``IGNORE``."""
    by_key: dict[str, str] = {}
    for spec in specs:
        by_key.setdefault(_key(spec.heading), spec.key)
    for spec in specs:
        by_key.setdefault(_key(spec.text), spec.key)
    for word in ("activity", "session", "course"):
        by_key.setdefault(word, ACTIVITY)
    for word in ("organisation", "organization", "org", "employer", "organisationname"):
        by_key.setdefault(word, ORGANISATION)
    proposal: list[str] = []
    used: set[str] = set()
    for heading in header:
        key = by_key.get(_key(heading), IGNORE)
        if key in used:
            key = IGNORE
        used.add(key)
        proposal.append(key)
    return proposal


# -- checking --------------------------------------------------------------------------


def check(
    table: Table,
    mapping: Sequence[str],
    specs: Sequence[Spec],
    *,
    activities: dict[str, int] | None = None,
) -> Iterator[Row]:
    """Check each row as it is read; ``mapping`` gives each column's spec key (or ``IGNORE``).

    ``activities`` maps activity names (lower case) to ids, for an activity
    column. A good row's values map question keys to a point (int) or words,
    and ``ACTIVITY`` / ``ORGANISATION`` to an id / a name. Count the rows with
    :class:`Checked`.
    """
    by_key = {spec.key: spec for spec in specs}
    columns = [
        (place, table.header[place], by_key[key])
        for place, key in enumerate(mapping)
        if key and key in by_key and place < len(table.header)
    ]
    mapped = {spec.key for _, _, spec in columns}
    missing = [s for s in specs if s.required and s.key not in mapped]
    if missing:
        # Every row fails for the same reason: one problem, about the file, given with each.
        problem = Problem(1, "", f"no column holds the required question '{missing[0].text}'")
        for number, cells in table.rows:
            yield Row(number, cells, {}, [problem])
        return
    for number, cells in table.rows:
        values: dict[str, object] = {}
        problems: list[Problem] = []
        if not any(cells):
            yield Row(number, cells, values, problems)
            continue
        for place, heading, spec in columns:
            cell = cells[place] if place < len(cells) else ""
            outcome = _cell(spec, cell, activities or {})
            if isinstance(outcome, Problem):
                problems.append(Problem(number, heading, outcome.message))
            elif outcome is not None:
                values[spec.key] = outcome
        if not problems and not any(key.startswith("q") for key in values):
            problems.append(Problem(number, "", "no answer to any question"))
        yield Row(number, cells, {} if problems else values, problems)


_NUMBER = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")


def _cell(spec: Spec, cell: str, activities: dict[str, int]) -> object:
    if spec.key == ACTIVITY:
        if not cell:
            return None
        found = activities.get(cell.lower())
        if found is None:
            return Problem(0, "", f"'{_short(cell)}' is not one of this form's activities")
        return found
    if spec.key == ORGANISATION:
        return cell[:200] or None
    if not cell:
        return Problem(0, "", "an answer is required") if spec.required else None
    if spec.points:
        match = _NUMBER.match(cell)
        point = int(match.group(1)) if match else _label_point(spec, cell)
        if point is None or not 1 <= point <= spec.points:
            return Problem(0, "", f"'{_short(cell)}' is not on the 1-{spec.points} scale")
        return point
    return cell[:10_000]


def _label_point(spec: Spec, cell: str) -> int | None:
    """A point written as its label ("Very"), as some survey tools export."""
    wanted = cell.strip().lower()
    for place, label in enumerate(spec.labels):
        if label.lower() == wanted:
            return place + 1
    return None


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"
